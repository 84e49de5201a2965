"""Rules on the server's config in each variant: that it is a valid
ServerConfig from a mounted ConfigMap, that its secrets are files from
Secret volumes, its transport, and that the mesh overlay's copy has not
drifted from the base's."""

import re

from checks.findings import rule
from checks.parsing import canonical_config, server_config_error, textproto_strings
from checks.tree import MESH


@rule("server-config")
def server_config(tree, report):
    for variant in tree.variants.values():
        where = variant.where
        if variant.server is None:
            continue
        path = variant.config_path
        if not report.check(path, where, "the server has no --config"):
            continue
        text = variant.config_text
        if not report.check(text is not None, where,
                            f"--config={path} is not a file from a mounted ConfigMap of this "
                            "variant (or is mounted with subPath, which never updates)"):
            continue
        error = server_config_error(text)
        report.check(error is None, f"{where} server config",
                     f"not a valid captoken.v1.ServerConfig: {error}")
        report.check(not re.search(r"\benv\s*:", text), where,
                     "the server config takes a secret from an environment variable")


@rule("secret-files")
def secret_files(tree, report):
    # Files from a Secret volume (not subPath) are what a rotation updates
    # in a running pod (docs/deploy.md, "Rotating an auth token").
    for variant in tree.variants.values():
        text, server, where = variant.config_text, variant.server, variant.where
        if text is None:
            continue
        for kind in ("auth_token", "secondary_auth_token"):
            for block in re.findall(r"\b" + kind + r"\s*\{([^}]*)\}", text):
                for path in textproto_strings(block, "file"):
                    provided = variant.mounted_file(server, path)
                    if not report.check(provided is not None, where,
                                        f"{kind} file {path} is on no volume of the server"):
                        continue
                    source = provided[1]
                    report.check(source is not None, where,
                                 f"{path} is mounted with subPath: a rotation never reaches it")
                    report.check(source is None or "secret" in source, where,
                                 f"{path} must come from a Secret volume")
        for field in ("certificate_file", "private_key_file", "client_ca_file"):
            for path in textproto_strings(text, field):
                provided = variant.mounted_file(server, path)
                report.check(provided and provided[1] and "secret" in provided[1], where,
                             f"{field} {path} is not a file from a mounted Secret")


@rule("transport")
def transport(tree, report):
    for variant in tree.variants.values():
        text, where = variant.config_text, variant.where
        if text is None:
            continue
        host, port = variant.listen
        if variant.mesh:
            report.check(re.search(r"trust_forwarded_client_cert\s*:\s*true", text), where,
                         "the mesh config must trust the sidecar's x-forwarded-client-cert")
            # The header is trusted from loopback peers only: a server on
            # every interface would be reachable around the sidecar.
            report.check(host in ("127.0.0.1", "localhost", "[::1]"), where,
                         "behind the sidecar the server must listen on loopback only")
        else:
            report.check(re.search(r"transport\s*\{\s*tls\s*\{", text)
                         and textproto_strings(text, "client_ca_file"), where,
                         "the default deployment must use mutual TLS "
                         "(transport.tls with client_ca_file)")
            report.check(port in variant.ports(), where,
                         f"the server listens on {port}, which it does not declare")


@rule("mesh-config-matches-base")
def mesh_config_matches_base(tree, report):
    # The mesh overlay repeats the accounts and caller policies (a patch
    # replaces the whole file): they must not drift apart.
    texts = {name: variant.config_text for name, variant in tree.variants.items()}
    if not (texts.get("default") and texts.get("mesh")):
        return
    default, mesh = canonical_config(texts["default"]), canonical_config(texts["mesh"])
    report.check(default is None or mesh is None or default == mesh, MESH,
                 "the mesh config's accounts, callers and limits differ from the base's "
                 "(only listen_address and transport may)")
