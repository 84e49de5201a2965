"""Rules on the mesh variant's Envoy sidecar, read from the ConfigMap the
rendered pod mounts (deploy/envoy/ through its configMapGenerator), so they
judge the config Envoy would load."""

import yaml

from checks.findings import rule
from checks.parsing import find_all
from checks.tree import ENVOY, MESH_PORT

HEALTH_PATH = "/grpc.health.v1.Health/Check"


def sidecar(variant):
    """(container, config path, config) for the mesh variant's Envoy, or
    None where any is missing (the envoy-sidecar rule says which)."""
    envoy = variant.container("envoy")
    if envoy is None:
        return None
    path = next((a for a in envoy.get("args", []) if a.endswith(".yaml")), None)
    text = variant.config_map_file(envoy, path) if path else None
    if text is None:
        return None
    try:
        return envoy, path, yaml.safe_load(text)
    except yaml.YAMLError:
        return None


def mesh_sidecars(tree):
    """(variant, where, config) for each mesh variant whose sidecar loads."""
    for variant in tree.variants.values():
        if variant.mesh:
            found = sidecar(variant)
            if found:
                yield variant, f"{variant.where} {ENVOY}", found[2]


def listeners(config):
    return {l["address"]["socket_address"]["port_value"]: l
            for l in config.get("static_resources", {}).get("listeners", [])}


@rule("envoy-sidecar")
def envoy_sidecar(tree, report):
    # A native sidecar starts before the server and stops after it, so a
    # draining server stays reachable to the end.
    for variant in tree.variants.values():
        if not variant.mesh:
            continue
        envoy = variant.container("envoy")
        if not report.check(envoy, variant.where, "the pod has no envoy container"):
            continue
        report.check(envoy.get("restartPolicy") == "Always"
                     and envoy in variant.pod_spec.get("initContainers", []), variant.where,
                     "Envoy must be a native sidecar, so it outlives the server's drain")
        report.check(sidecar(variant), variant.where,
                     "Envoy's --config-path is not a YAML file from a mounted ConfigMap")


@rule("envoy-callers-listener")
def envoy_callers_listener(tree, report):
    for _, where, config in mesh_sidecars(tree):
        callers = listeners(config).get(MESH_PORT)
        if not report.check(callers, where, f"no listener on {MESH_PORT}"):
            continue
        report.check(list(find_all(callers, "require_client_certificate")) == [True], where,
                     f"the {MESH_PORT} listener must require client certificates")
        report.check(any("DownstreamTlsContext" in t for t in find_all(callers, "@type")), where,
                     f"the {MESH_PORT} listener has no DownstreamTlsContext")
        report.check(list(find_all(callers, "validation_context_sds_secret_config"))
                     or list(find_all(callers, "validation_context")), where,
                     f"the {MESH_PORT} listener has no client CA")
        # SANITIZE_SET drops a caller's own header: a caller cannot name itself.
        report.check(list(find_all(callers, "forward_client_cert_details")) == ["SANITIZE_SET"],
                     where, f"the {MESH_PORT} listener must set forward_client_cert_details: "
                     "SANITIZE_SET")
        details = list(find_all(callers, "set_current_client_cert_details"))
        report.check(details and details[0].get("uri") is True
                     and details[0].get("subject") is True, where,
                     "set_current_client_cert_details must include uri and subject")
        report.check(set(find_all(callers, "cluster")) == {"captoken"}, where,
                     f"the {MESH_PORT} listener must route to the captoken cluster")


@rule("envoy-health-listener")
def envoy_health_listener(tree, report):
    # The plaintext listener the kubelet probes must pass the health check
    # and nothing else, with no client identity.
    for _, where, config in mesh_sidecars(tree):
        for port, listener in listeners(config).items():
            if port == MESH_PORT:
                continue
            report.check(list(find_all(listener, "forward_client_cert_details"))
                         in ([], ["SANITIZE"]), where,
                         f"listener on {port} must not forward client certificate details")
            report.check(not list(find_all(listener, "prefix")), where,
                         f"listener on {port} must route exact paths only")
            for path in find_all(listener, "path"):
                if isinstance(path, str):
                    report.check(path == HEALTH_PATH, where,
                                 f"listener on {port} routes {path}: only the health check "
                                 "may pass")


@rule("envoy-cluster")
def envoy_cluster(tree, report):
    for variant, where, config in mesh_sidecars(tree):
        clusters = config.get("static_resources", {}).get("clusters", [])
        cluster = next((c for c in clusters if c["name"] == "captoken"), None)
        if not report.check(cluster, where, "no captoken cluster"):
            continue
        host, port = variant.listen
        addresses = [e["endpoint"]["address"]["socket_address"]
                     for group in cluster["load_assignment"]["endpoints"]
                     for e in group["lb_endpoints"]]
        expected = {"address": host if host != "localhost" else "127.0.0.1", "port_value": port}
        report.check(addresses == [expected], where,
                     f"the captoken cluster must be {host}:{port}, the server's address")
        options = cluster.get("typed_extension_protocol_options", {}).get(
            "envoy.extensions.upstreams.http.v3.HttpProtocolOptions", {})
        report.check("http2_protocol_options" in options.get("explicit_http_config", {}), where,
                     "the captoken cluster must speak HTTP/2 (explicit_http_config)")


@rule("envoy-admin")
def envoy_admin(tree, report):
    for _, where, config in mesh_sidecars(tree):
        admin = config.get("admin", {}).get("address", {}).get("socket_address", {})
        report.check(admin.get("address") == "127.0.0.1", where,
                     "the admin must listen on 127.0.0.1 only")


@rule("envoy-files-mounted")
def envoy_files_mounted(tree, report):
    # Every file Envoy reads, and the SDS files' certificates, must be on
    # one of its volumes; a watched directory must be a mount itself.
    for variant, where, config in mesh_sidecars(tree):
        envoy = variant.container("envoy")
        files, directories = [], []
        for sds in find_all(config, "path_config_source"):
            files.append(sds["path"])
            text = variant.config_map_file(envoy, sds["path"])
            if report.check(text is not None, where,
                            f"{sds['path']} is not a file from a mounted ConfigMap"):
                for document in yaml.safe_load_all(text):
                    files.extend(find_all(document, "filename"))
                    directories.extend(d["path"] for d in find_all(document, "watched_directory"))
        for path in files:
            report.check(variant.mounted_file(envoy, path), where,
                         f"Envoy reads {path}, which is on none of its volumes")
        mounts = {m["mountPath"].rstrip("/") for m in envoy.get("volumeMounts", [])}
        for path in directories:
            report.check(path.rstrip("/") in mounts, where,
                         f"Envoy watches {path}, which is not one of its mounts")
