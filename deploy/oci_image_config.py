#!/usr/bin/python3
"""Prints an OCI image's run settings in deploy/image.list's format, so a
test can compare what an image says with what the list says:

    deploy/oci_image_config.py OCI_LAYOUT_DIR TAG

prints `user`, `expose` (sorted; `/tcp` dropped, as EXPOSE writes it),
`entrypoint`, `cmd`, `env` lines, then `layers N`. Fails if TAG is not in
the layout or the manifest or a layer is not of an OCI media type (what
`podman load`, `skopeo copy` and registries expect of an OCI image), or if
a layer is not what the manifest and config say it is: its digest and size,
its uncompressed digest (the config's diff_id), and a tar that reads to its
end (umoci 0.4's `insert` writes layers without the end-of-archive blocks,
which Go's readers accept and Python's, GNU tar's and others' do not).
"""

import gzip
import hashlib
import io
import json
import os
import sys
import tarfile

MANIFEST = "application/vnd.oci.image.manifest.v1+json"
LAYER_TYPES = ("application/vnd.oci.image.layer.v1.tar",
               "application/vnd.oci.image.layer.v1.tar+gzip")


def blob(layout, digest):
    algorithm, hex_digest = digest.split(":", 1)
    with open(os.path.join(layout, "blobs", algorithm, hex_digest), encoding="utf-8") as file:
        return json.load(file)


def check_layer(layout, layer, diff_id):
    """Fails unless LAYER's blob is what its descriptor and diff_id say."""
    algorithm, hex_digest = layer["digest"].split(":", 1)
    path = os.path.join(layout, "blobs", algorithm, hex_digest)
    with open(path, "rb") as file:
        data = file.read()
    if hashlib.sha256(data).hexdigest() != hex_digest or len(data) != layer["size"]:
        sys.exit(f"{layout}: layer {layer['digest']}: its blob has another digest or size")
    tar_bytes = gzip.decompress(data) if layer["mediaType"].endswith("+gzip") else data
    if "sha256:" + hashlib.sha256(tar_bytes).hexdigest() != diff_id:
        sys.exit(f"{layout}: layer {layer['digest']}: uncompressed, not its diff_id {diff_id}")
    try:
        with tarfile.open(fileobj=io.BytesIO(tar_bytes), mode="r:") as archive:
            for _ in archive:
                pass
    except tarfile.TarError as error:
        sys.exit(f"{layout}: layer {layer['digest']} is not a complete tar: {error}")


def main(layout, tag):
    with open(os.path.join(layout, "index.json"), encoding="utf-8") as file:
        index = json.load(file)
    entries = [m for m in index["manifests"]
               if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == tag]
    if len(entries) != 1 or entries[0]["mediaType"] != MANIFEST:
        sys.exit(f"{layout}: no single OCI manifest tagged {tag}: {index['manifests']}")
    manifest = blob(layout, entries[0]["digest"])
    for layer in manifest["layers"]:
        if layer["mediaType"] not in LAYER_TYPES:
            sys.exit(f"{layout}: layer {layer['digest']} is {layer['mediaType']}")
    image_config = blob(layout, manifest["config"]["digest"])
    diff_ids = image_config.get("rootfs", {}).get("diff_ids", [])
    if len(diff_ids) != len(manifest["layers"]):
        sys.exit(f"{layout}: {len(manifest['layers'])} layers but {len(diff_ids)} diff_ids")
    for layer, diff_id in zip(manifest["layers"], diff_ids):
        check_layer(layout, layer, diff_id)
    config = image_config.get("config", {})
    print("user", config.get("User", ""))
    for port in sorted(config.get("ExposedPorts", {})):
        print("expose", port.removesuffix("/tcp"))
    print("entrypoint", " ".join(config.get("Entrypoint") or []))
    print("cmd", " ".join(config.get("Cmd") or []))
    for variable in config.get("Env", []):
        print("env", variable)
    print("layers", len(manifest["layers"]))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
