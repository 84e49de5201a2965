#!/usr/bin/python3
"""Prints an OCI image's run settings in deploy/image.list's format, so a
test can compare what an image says with what the list says:

    deploy/oci_image_config.py OCI_LAYOUT_DIR TAG

prints `user`, `expose` (sorted; `/tcp` dropped, as EXPOSE writes it),
`entrypoint`, `cmd`, `env` lines, then `layers N`. Fails if TAG is not in
the layout or the manifest or a layer is not of an OCI media type (what
`podman load`, `skopeo copy` and registries expect of an OCI image).
"""

import json
import os
import sys

MANIFEST = "application/vnd.oci.image.manifest.v1+json"
LAYER_TYPES = ("application/vnd.oci.image.layer.v1.tar",
               "application/vnd.oci.image.layer.v1.tar+gzip")


def blob(layout, digest):
    algorithm, hex_digest = digest.split(":", 1)
    with open(os.path.join(layout, "blobs", algorithm, hex_digest), encoding="utf-8") as file:
        return json.load(file)


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
    config = blob(layout, manifest["config"]["digest"]).get("config", {})
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
