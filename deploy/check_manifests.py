#!/usr/bin/python3
"""Checks captoken's deployment files: the rules docs/deploy.md promises.

    deploy/check_manifests.py                 the static checks (below)
    deploy/check_manifests.py --self-test     each rule catches a broken copy
    deploy/check_manifests.py --smoke --server=BIN --cli=BIN --pki=SCRIPT
                                              the real server with each
                                              variant's ConfigMap and probes

Run from the repository root (Bazel runs it from the runfiles tree, which
has the same layout): `bazel test //deploy/...`.

Static checks, for the default deployment (deploy/kubernetes) and the mesh
overlay (deploy/kubernetes/overlays/mesh), each rendered the way kustomize
renders it (strategic-merge patches; compared with `kubectl kustomize` when
kubectl is installed):
  - every YAML file under deploy/ parses;
  - every container has readiness and liveness probes, CPU and memory
    requests and limits, runAsNonRoot with a non-zero runAsUser,
    readOnlyRootFilesystem, no privilege escalation, ALL capabilities
    dropped, the RuntimeDefault seccomp profile, a pinned image;
  - the auth tokens are files from Secret volumes (no subPath, so rotations
    reach the pod), and no environment variable comes from a Secret;
  - the server's config parses as a captoken.v1.ServerConfig (protoc), every
    file it names is mounted, and its port is the one the Services reach;
  - the Services (headless and ClusterIP), the PodDisruptionBudget, the
    HorizontalPodAutoscaler and the NetworkPolicy exist and select the
    Deployment's pods; terminationGracePeriodSeconds exceeds the drain;
  - deploy/envoy/envoy.yaml: mutual TLS on 8443, SANITIZE_SET with the URI,
    HTTP/2 to the server's address, admin on loopback only;
  - deploy/grpc-service-config.json: round_robin, only UNAVAILABLE retried;
  - deploy/Dockerfile: the final stage runs as a numeric non-root USER and
    copies only the binaries and their libraries.
"""

import argparse
import copy
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

try:
    import yaml
except ImportError:
    sys.exit("check_manifests: needs PyYAML: apt-get install python3-yaml")

PROTOC = "/usr/bin/protoc"
BASE = "deploy/kubernetes"
MESH = "deploy/kubernetes/overlays/mesh"
ENVOY = "deploy/envoy/envoy.yaml"
SERVICE_CONFIG = "deploy/grpc-service-config.json"
DOCKERFILE = "deploy/Dockerfile"
DOCKERIGNORE = "deploy/Dockerfile.dockerignore"
METRICS_PORT = 9090
PDB_MIN_AVAILABLE = 2


class Errors:
    """Collects failures, each prefixed with where it was found."""

    def __init__(self):
        self.messages = []

    def add(self, where, message):
        self.messages.append(f"{where}: {message}")

    def check(self, condition, where, message):
        if not condition:
            self.add(where, message)
        return bool(condition)


# --------------------------------------------------------------------------
# Loading and rendering (a small kustomize: the features our files use).

def load_yaml_docs(path):
    with open(path, encoding="utf-8") as file:
        return [doc for doc in yaml.safe_load_all(file) if doc is not None]


def merge_key(field, items):
    keys = {
        "containers": "name",
        "initContainers": "name",
        "volumes": "name",
        "volumeMounts": "mountPath",
        "env": "name",
        "imagePullSecrets": "name",
    }
    if field == "ports":
        return "containerPort" if any("containerPort" in i for i in items) else "port"
    return keys.get(field)


def strategic_merge(base, patch, field=None):
    """Kubernetes' strategic merge patch, for the directives we use."""
    if isinstance(patch, dict):
        if patch.get("$patch") == "replace":
            return {k: v for k, v in patch.items() if k != "$patch"}
        merged = dict(base) if isinstance(base, dict) else {}
        for key, value in patch.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = strategic_merge(merged.get(key), value, key)
        return merged
    if isinstance(patch, list):
        replace = any(isinstance(i, dict) and i == {"$patch": "replace"} for i in patch)
        items = [i for i in patch if not (isinstance(i, dict) and i == {"$patch": "replace"})]
        key = merge_key(field, items + (base or []))
        if replace or key is None or not isinstance(base, list):
            return copy.deepcopy(items)
        merged = copy.deepcopy(base)
        for item in items:
            index = next((n for n, b in enumerate(merged) if b.get(key) == item.get(key)), None)
            if item.get("$patch") == "delete":
                if index is not None:
                    del merged[index]
            elif index is None:
                merged.append(copy.deepcopy(item))
            else:
                merged[index] = strategic_merge(merged[index], item, None)
        return merged
    return copy.deepcopy(patch)


def render(directory):
    """The resources `kustomize build directory` would produce (generated
    ConfigMaps keep their plain names)."""
    kustomization = load_yaml_docs(os.path.join(directory, "kustomization.yaml"))[0]
    resources = []
    for entry in kustomization.get("resources", []):
        path = os.path.normpath(os.path.join(directory, entry))
        if os.path.isdir(path):
            resources.extend(render(path))
        else:
            resources.extend(load_yaml_docs(path))
    for generator in kustomization.get("configMapGenerator", []):
        data = {}
        for name in generator.get("files", []):
            with open(os.path.join(directory, name), encoding="utf-8") as file:
                data[os.path.basename(name)] = file.read()
        labels = generator.get("options", {}).get("labels", {})
        resources.append({"apiVersion": "v1", "kind": "ConfigMap",
                          "metadata": {"name": generator["name"], "labels": labels},
                          "data": data})
    for entry in kustomization.get("patches", []):
        for patch in load_yaml_docs(os.path.join(directory, entry["path"])):
            target = [r for r in resources if r["kind"] == patch["kind"]
                      and r["metadata"]["name"] == patch["metadata"]["name"]]
            if len(target) != 1:
                raise ValueError(f"{directory}: patch {entry['path']} matches "
                                 f"{len(target)} resources")
            resources[resources.index(target[0])] = strategic_merge(target[0], patch)
    namespace = kustomization.get("namespace")
    if namespace:
        for resource in resources:
            if resource["kind"] != "Namespace":
                resource["metadata"]["namespace"] = namespace
    for image in kustomization.get("images", []):
        for resource in resources:
            for container in all_containers(resource):
                if container.get("image", "").split(":")[0] == image["name"]:
                    container["image"] = f"{image.get('newName', image['name'])}:{image['newTag']}"
    return resources


USE_KUBECTL = True
KUBECTL_COPY = None
VERBOSE = bool(os.environ.get("CHECK_MANIFESTS_VERBOSE"))


def kubectl_render(directory):
    """`kubectl kustomize`, when kubectl is installed; else None."""
    kubectl = shutil.which("kubectl")
    if kubectl is None or not USE_KUBECTL:
        return None
    # kustomize does not follow symbolic links, and under Bazel every file
    # is one: render a copy.
    global KUBECTL_COPY
    if KUBECTL_COPY is None:
        KUBECTL_COPY = tempfile.mkdtemp(prefix="check_manifests_kubectl_")
        shutil.copytree("deploy", os.path.join(KUBECTL_COPY, "deploy"))
    result = subprocess.run([kubectl, "kustomize", os.path.join(KUBECTL_COPY, directory)],
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise ValueError(f"kubectl kustomize {directory}: {result.stderr.strip()}")
    return [d for d in yaml.safe_load_all(result.stdout) if d is not None]


def without_name_hashes(resources, generated):
    text = json.dumps(sorted(resources, key=lambda r: (r["kind"], r["metadata"]["name"])),
                      sort_keys=True)
    for name in generated:
        text = re.sub(re.escape(name) + r"-[a-z0-9]{10}\b", name, text)

    def by_name(node):  # merged lists may come out in another order
        if isinstance(node, dict):
            return {k: by_name(v) for k, v in node.items()}
        if isinstance(node, list):
            items = [by_name(i) for i in node]
            if items and all(isinstance(i, dict) and "name" in i for i in items):
                items.sort(key=lambda i: i["name"])
            return items
        return node
    return by_name(json.loads(text))


def all_containers(resource):
    spec = resource.get("spec", {}).get("template", {}).get("spec", {})
    return spec.get("initContainers", []) + spec.get("containers", [])


def one(resources, kind, errors, where, predicate=lambda r: True):
    found = [r for r in resources if r["kind"] == kind and predicate(r)]
    errors.check(len(found) == 1, where, f"expected one {kind}, found {len(found)}")
    return found[0] if found else None


# --------------------------------------------------------------------------
# Small parsers.

def parse_duration_seconds(text):
    """An absl duration flag value such as 10s, 1m30s, 500ms."""
    units = {"h": 3600, "m": 60, "s": 1, "ms": 0.001, "us": 1e-6, "ns": 1e-9}
    total, rest = 0.0, text
    for number, unit in re.findall(r"([0-9.]+)(ms|us|ns|h|m|s)", text):
        total += float(number) * units[unit]
        rest = rest.replace(number + unit, "", 1)
    if rest or not text:
        raise ValueError(f"not a duration: {text!r}")
    return total


def parse_quantity(text):
    """A Kubernetes CPU or memory quantity, as a number."""
    text = str(text)
    suffixes = {"m": 1e-3, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "k": 1e3, "M": 1e6, "G": 1e9}
    for suffix, factor in suffixes.items():
        if text.endswith(suffix):
            return float(text[: -len(suffix)]) * factor
    return float(text)


def flag(args, name, default=None):
    for arg in args:
        if arg.startswith(f"--{name}="):
            return arg.split("=", 1)[1]
    return default


def textproto_strings(text, field):
    """Every `field: "value"` in a text-format message."""
    return re.findall(r'\b' + re.escape(field) + r'\s*:\s*"([^"]*)"', text)


def canonical_config(text):
    """The config in protoc's canonical text form, without the top-level
    fields that differ between variants (listen_address, transport)."""
    encoded = subprocess.run(
        [PROTOC, "--encode=captoken.v1.ServerConfig", "-I", "proto",
         "proto/captoken/v1/config.proto"], input=text.encode(), capture_output=True, check=False)
    if encoded.returncode != 0:
        return None
    decoded = subprocess.run(
        [PROTOC, "--decode=captoken.v1.ServerConfig", "-I", "proto",
         "proto/captoken/v1/config.proto"], input=encoded.stdout, capture_output=True, check=True)
    kept, skipping = [], False
    for line in decoded.stdout.decode().splitlines():
        if not line.startswith(" "):
            skipping = line.startswith(("listen_address:", "transport {"))
            if line == "}" and skipping:
                continue
        if not skipping:
            kept.append(line)
    return "\n".join(kept)


def validate_textproto(text, where, errors):
    result = subprocess.run(
        [PROTOC, "--encode=captoken.v1.ServerConfig", "-I", "proto",
         "proto/captoken/v1/config.proto"],
        input=text.encode(), capture_output=True, check=False)
    errors.check(result.returncode == 0, where,
                 "not a valid captoken.v1.ServerConfig: "
                 + result.stderr.decode(errors="replace").strip())


# --------------------------------------------------------------------------
# The Kubernetes checks.

def mounted_file(pod_spec, container, path):
    """(volume, source, key) providing `path` inside `container`, where
    source is the ConfigMap/Secret volume source holding it; None if no
    mount provides it."""
    volumes = {v["name"]: v for v in pod_spec.get("volumes", [])}
    for mount in container.get("volumeMounts", []):
        prefix = mount["mountPath"].rstrip("/") + "/"
        if not path.startswith(prefix):
            continue
        relative = path[len(prefix):]
        volume = volumes.get(mount["name"])
        if volume is None:
            return None
        if "subPath" in mount:
            return (volume, None, None)
        if "projected" in volume:
            for source in volume["projected"]["sources"]:
                kind_source = source.get("secret") or source.get("configMap")
                kind = "secret" if "secret" in source else "configMap"
                for item in (kind_source or {}).get("items", []):
                    if item["path"] == relative:
                        return (volume, {kind: kind_source}, item["key"])
            return None
        for kind in ("secret", "configMap"):
            if kind in volume:
                items = volume[kind].get("items")
                if items is None:
                    return (volume, {kind: volume[kind]}, relative)
                for item in items:
                    if item["path"] == relative:
                        return (volume, {kind: volume[kind]}, item["key"])
                return None
        return (volume, {}, relative)
    return None


def check_container(container, pod_spec, where, errors, is_regular_init=False):
    name = f"{where} container {container['name']}"
    pod_security = pod_spec.get("securityContext", {})
    security = container.get("securityContext", {})
    if not is_regular_init:
        for probe in ("readinessProbe", "livenessProbe"):
            handlers = [h for h in ("exec", "grpc", "httpGet", "tcpSocket")
                        if h in container.get(probe, {})]
            errors.check(len(handlers) == 1, name, f"needs a {probe} with one handler")
    resources = container.get("resources", {})
    for resource in ("cpu", "memory"):
        request = resources.get("requests", {}).get(resource)
        limit = resources.get("limits", {}).get(resource)
        if errors.check(request is not None and limit is not None, name,
                        f"needs {resource} requests and limits"):
            errors.check(parse_quantity(request) <= parse_quantity(limit), name,
                         f"{resource} request exceeds its limit")
    run_as_non_root = security.get("runAsNonRoot", pod_security.get("runAsNonRoot"))
    run_as_user = security.get("runAsUser", pod_security.get("runAsUser"))
    errors.check(run_as_non_root is True, name, "needs runAsNonRoot: true")
    errors.check(isinstance(run_as_user, int) and run_as_user > 0, name,
                 "needs a numeric, non-zero runAsUser")
    errors.check(security.get("readOnlyRootFilesystem") is True, name,
                 "needs readOnlyRootFilesystem: true")
    errors.check(security.get("allowPrivilegeEscalation") is False, name,
                 "needs allowPrivilegeEscalation: false")
    errors.check(security.get("privileged") is not True, name, "must not be privileged")
    capabilities = security.get("capabilities", {})
    errors.check("ALL" in capabilities.get("drop", []), name, "must drop ALL capabilities")
    errors.check(not capabilities.get("add"), name, "must add no capabilities")
    seccomp = security.get("seccompProfile", pod_security.get("seccompProfile", {}))
    errors.check(seccomp.get("type") == "RuntimeDefault", name,
                 "needs the RuntimeDefault seccomp profile")
    image = container.get("image", "")
    errors.check(("@sha256:" in image or re.search(r":[^/:]+$", image))
                 and not image.endswith(":latest"), name,
                 f"image {image!r} is not pinned to a tag or digest")
    for variable in container.get("env", []):
        source = variable.get("valueFrom", {})
        errors.check("secretKeyRef" not in source, name,
                     f"env {variable['name']} comes from a Secret: mount it as a file")
        errors.check(not re.search(r"TOKEN|SECRET|PASSWORD|KEY", variable["name"]), name,
                     f"env {variable['name']} looks like a secret: mount it as a file")
    for source in container.get("envFrom", []):
        errors.check("secretRef" not in source, name, "envFrom a Secret: mount it as files")


def container_ports(pod_spec):
    ports = {}
    for container in pod_spec.get("initContainers", []) + pod_spec.get("containers", []):
        if container in pod_spec.get("initContainers", []) and \
                container.get("restartPolicy") != "Always":
            continue
        for port in container.get("ports", []):
            ports[port["containerPort"]] = (container["name"], port)
            if "name" in port:
                ports[port["name"]] = (container["name"], port)
    return ports


def resolve_port(ports, value):
    entry = ports.get(value)
    return entry[1]["containerPort"] if entry else None


def selects(selector, labels):
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def server_config_text(resources, pod_spec, server, where, errors):
    """The server container's config file, from the ConfigMap it mounts."""
    path = flag(server.get("args", []), "config")
    if not errors.check(path, where, "the server has no --config"):
        return None
    provided = mounted_file(pod_spec, server, path)
    if not errors.check(provided and provided[1] and "configMap" in provided[1], where,
                        f"--config={path} is not a file from a mounted ConfigMap"
                        " (subPath mounts never update)"):
        return None
    name = provided[1]["configMap"]["name"]
    config_map = one(resources, "ConfigMap", errors, where,
                     lambda r: r["metadata"]["name"] == name)
    if config_map is None:
        return None
    text = config_map.get("data", {}).get(provided[2])
    errors.check(text is not None, where, f"ConfigMap {name} has no key {provided[2]}")
    return text


def check_variant(resources, where, errors, mesh):
    deployment = one(resources, "Deployment", errors, where)
    if deployment is None:
        return
    namespace = one(resources, "Namespace", errors, where)
    if namespace:
        for resource in resources:
            if resource["kind"] != "Namespace":
                errors.check(resource["metadata"].get("namespace") == namespace["metadata"]["name"],
                             where, f"{resource['kind']} {resource['metadata']['name']} "
                             "is not in the captoken namespace")
    spec = deployment["spec"]
    pod_spec = spec["template"]["spec"]
    selector = spec["selector"].get("matchLabels", {})
    pod_labels = spec["template"]["metadata"].get("labels", {})
    errors.check(selects(selector, pod_labels), where,
                 "the Deployment's selector does not match its pod labels")
    errors.check(spec.get("replicas", 1) >= 3, where, "needs at least 3 replicas")

    # The pod.
    errors.check(pod_spec.get("automountServiceAccountToken") is False, where,
                 "the pod must set automountServiceAccountToken: false")
    for host in ("hostNetwork", "hostPID", "hostIPC"):
        errors.check(not pod_spec.get(host), where, f"the pod must not set {host}")
    account = pod_spec.get("serviceAccountName")
    if account:
        service_account = one(resources, "ServiceAccount", errors, where,
                              lambda r: r["metadata"]["name"] == account)
        if service_account:
            errors.check(service_account.get("automountServiceAccountToken") is False, where,
                         f"ServiceAccount {account} must not automount its token")
    spreads = {c["topologyKey"]: c for c in pod_spec.get("topologySpreadConstraints", [])}
    errors.check("topology.kubernetes.io/zone" in spreads, where,
                 "needs a topology spread over zones")
    for constraint in spreads.values():
        errors.check(selects(constraint.get("labelSelector", {}).get("matchLabels", {}),
                             pod_labels), where,
                     f"the {constraint['topologyKey']} spread does not select the pods")
    annotations = spec["template"]["metadata"].get("annotations", {})
    errors.check(annotations.get("prometheus.io/scrape") == "true"
                 and annotations.get("prometheus.io/port") == str(METRICS_PORT), where,
                 f"needs prometheus.io/scrape and prometheus.io/port={METRICS_PORT}")

    init = pod_spec.get("initContainers", [])
    for container in init:
        check_container(container, pod_spec, where, errors,
                        is_regular_init=container.get("restartPolicy") != "Always")
    for container in pod_spec.get("containers", []):
        check_container(container, pod_spec, where, errors)
    servers = [c for c in pod_spec.get("containers", []) if c["name"] == "server"]
    if not errors.check(len(servers) == 1, where, "needs one container named server"):
        return
    server = servers[0]
    ports = container_ports(pod_spec)
    errors.check(METRICS_PORT in ports, where, f"no container declares port {METRICS_PORT}")

    # Probes reach something that exists.
    for container in init + pod_spec.get("containers", []):
        for probe_name in ("readinessProbe", "livenessProbe"):
            probe = container.get(probe_name, {})
            for handler in ("grpc", "httpGet", "tcpSocket"):
                if handler in probe:
                    errors.check(resolve_port(ports, probe[handler]["port"]) is not None, where,
                                 f"{container['name']} {probe_name} port "
                                 f"{probe[handler]['port']} is no container's port")
            if "exec" in probe:
                command = probe["exec"]["command"]
                errors.check(command[0] in IMAGE_BINARIES or container["name"] != "server",
                             where, f"{probe_name} runs {command[0]}, which the image "
                             f"does not have (it has {sorted(IMAGE_BINARIES)})")

    # The drain fits in the termination grace period.
    args = server.get("args", [])
    try:
        drain = (parse_duration_seconds(flag(args, "drain_grace", "0s"))
                 + parse_duration_seconds(flag(args, "drain_timeout", "10s")))
    except ValueError as error:
        errors.add(where, str(error))
        drain = 0
    pre_stop = server.get("lifecycle", {}).get("preStop", {}).get("sleep", {}).get("seconds", 0)
    grace = pod_spec.get("terminationGracePeriodSeconds", 30)
    errors.check(grace > drain + pre_stop, where,
                 f"terminationGracePeriodSeconds ({grace}) must exceed the drain "
                 f"(--drain_grace + --drain_timeout = {drain:g} s, plus preStop {pre_stop} s)")
    errors.check(parse_duration_seconds(flag(args, "drain_grace", "0s")) > 0, where,
                 "--drain_grace must be set, so endpoints update before calls are refused")

    # The server's config, and every file it names.
    text = server_config_text(resources, pod_spec, server, where, errors)
    if text is None:
        return
    validate_textproto(text, f"{where} server config", errors)
    errors.check(not re.search(r"\benv\s*:", text), where,
                 "the server config takes a secret from an environment variable")
    for kind in ("auth_token", "secondary_auth_token"):
        for block in re.findall(r"\b" + kind + r"\s*\{([^}]*)\}", text):
            for path in textproto_strings(block, "file"):
                provided = mounted_file(pod_spec, server, path)
                ok = errors.check(provided is not None, where,
                                  f"{kind} file {path} is on no volume of the server")
                if ok:
                    volume, source, _ = provided
                    errors.check(source is not None, where,
                                 f"{path} is mounted with subPath: a rotation never reaches it")
                    errors.check(source is not None and "secret" in source, where,
                                 f"{path} must come from a Secret volume")
    for field in ("certificate_file", "private_key_file", "client_ca_file"):
        for path in textproto_strings(text, field):
            provided = mounted_file(pod_spec, server, path)
            errors.check(provided and provided[1] and "secret" in provided[1], where,
                         f"{field} {path} is not a file from a mounted Secret")
    listen = textproto_strings(text, "listen_address")
    listen = listen[0] if listen else "127.0.0.1:50051"
    listen_host, listen_port = listen.rsplit(":", 1)
    listen_port = int(listen_port)
    if mesh:
        errors.check(re.search(r"trust_forwarded_client_cert\s*:\s*true", text), where,
                     "the mesh config must trust the sidecar's x-forwarded-client-cert")
        errors.check(listen_host in ("127.0.0.1", "localhost", "[::1]"), where,
                     "behind the sidecar the server must listen on loopback only")
        serving_port = check_envoy(where, errors, listen_host, listen_port, pod_spec)
    else:
        errors.check(re.search(r"transport\s*\{\s*tls\s*\{", text)
                     and textproto_strings(text, "client_ca_file"), where,
                     "the default deployment must use mutual TLS (transport.tls with client_ca_file)")
        errors.check(resolve_port(ports, listen_port) == listen_port, where,
                     f"the server listens on {listen_port}, which it does not declare")
        serving_port = listen_port

    # Services.
    services = [r for r in resources if r["kind"] == "Service"]
    headless = [s for s in services if s["spec"].get("clusterIP") == "None"]
    cluster_ip = [s for s in services if s["spec"].get("clusterIP") != "None"
                  and s["spec"].get("type", "ClusterIP") == "ClusterIP"]
    errors.check(len(headless) == 1, where, "needs one headless Service (clusterIP: None)")
    errors.check(len(cluster_ip) == 1, where, "needs one ClusterIP Service")
    for service in services:
        name = f"{where} Service {service['metadata']['name']}"
        errors.check(selects(service["spec"].get("selector", {}), pod_labels), name,
                     "does not select the Deployment's pods")
        for port in service["spec"].get("ports", []):
            target = resolve_port(ports, port.get("targetPort", port["port"]))
            errors.check(target == serving_port, name,
                         f"port {port['port']} reaches {target}, not the gRPC port {serving_port}")
            if service in headless:
                errors.check(port["port"] == serving_port, name,
                             "a headless Service does no port mapping: its port must be the pods'")

    # Disruption budget and autoscaler.
    pdb = one(resources, "PodDisruptionBudget", errors, where)
    if pdb:
        errors.check(selects(pdb["spec"].get("selector", {}).get("matchLabels", {}), pod_labels),
                     where, "the PodDisruptionBudget does not select the pods")
        errors.check(pdb["spec"].get("minAvailable") == PDB_MIN_AVAILABLE, where,
                     f"the PodDisruptionBudget needs minAvailable: {PDB_MIN_AVAILABLE}")
    hpa = one(resources, "HorizontalPodAutoscaler", errors, where)
    if hpa:
        target = hpa["spec"]["scaleTargetRef"]
        errors.check(hpa["apiVersion"] == "autoscaling/v2", where, "the HPA must be autoscaling/v2")
        errors.check(target["kind"] == "Deployment"
                     and target["name"] == deployment["metadata"]["name"], where,
                     "the HPA does not scale the Deployment")
        errors.check(any(m.get("resource", {}).get("name") == "cpu"
                         for m in hpa["spec"].get("metrics", [])), where,
                     "the HPA must scale on CPU")
        errors.check(hpa["spec"].get("minReplicas", 1) > PDB_MIN_AVAILABLE, where,
                     "the HPA's minReplicas must exceed the PDB's minAvailable")

    # Network policy.
    policy = one(resources, "NetworkPolicy", errors, where)
    if policy:
        policy_spec = policy["spec"]
        errors.check(selects(policy_spec["podSelector"].get("matchLabels", {}), pod_labels),
                     where, "the NetworkPolicy does not select the pods")
        errors.check(set(policy_spec.get("policyTypes", [])) == {"Ingress", "Egress"}, where,
                     "the NetworkPolicy must govern Ingress and Egress")
        errors.check(policy_spec.get("egress", []) == [], where,
                     "the server needs no egress: the NetworkPolicy must allow none")
        allowed = {}
        for rule in policy_spec.get("ingress", []):
            errors.check(rule.get("from"), where,
                         "an ingress rule without `from` admits every pod")
            for source in rule.get("from", []):
                errors.check("ipBlock" not in source, where, "ingress from an ipBlock")
            for port in rule.get("ports", []):
                allowed[resolve_port(ports, port["port"])] = rule
        errors.check(set(allowed) == {serving_port, METRICS_PORT}, where,
                     f"ingress must open exactly the gRPC port {serving_port} and "
                     f"{METRICS_PORT}, not {sorted(map(str, allowed))}")
        metrics_rule = allowed.get(METRICS_PORT, {})
        errors.check(all(s.get("namespaceSelector", {}).get("matchLabels", {})
                         .get("kubernetes.io/metadata.name") == "monitoring"
                         for s in metrics_rule.get("from", [{}])), where,
                     "the metrics port must be open to the monitoring namespace only")
        grpc_rule = allowed.get(serving_port, {})
        errors.check(all(s.get("namespaceSelector", {}).get("matchLabels")
                         and s.get("podSelector", {}).get("matchLabels")
                         for s in grpc_rule.get("from", [{}])), where,
                     "the gRPC port must be open to labelled pods in labelled namespaces only")


# --------------------------------------------------------------------------
# Envoy, the service config, the Dockerfile.

def find_all(node, key):
    """Every value of `key` anywhere under node."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key:
                yield v
            yield from find_all(v, key)
    elif isinstance(node, list):
        for item in node:
            yield from find_all(item, key)


def check_envoy(where, errors, server_host, server_port, pod_spec):
    """Checks deploy/envoy/envoy.yaml against the server's address and the
    Envoy container's mounts; returns the callers' port (8443)."""
    where = f"{where} {ENVOY}"
    config = load_yaml_docs(ENVOY)[0]
    admin = config.get("admin", {}).get("address", {}).get("socket_address", {})
    errors.check(admin.get("address") == "127.0.0.1", where, "the admin must listen on 127.0.0.1 only")
    listeners = config.get("static_resources", {}).get("listeners", [])
    clusters = config.get("static_resources", {}).get("clusters", [])
    by_port = {l["address"]["socket_address"]["port_value"]: l for l in listeners}
    callers = by_port.get(8443)
    if errors.check(callers, where, "no listener on 8443"):
        tls = list(find_all(callers, "require_client_certificate"))
        errors.check(tls == [True], where, "the 8443 listener must require client certificates")
        errors.check(any("DownstreamTlsContext" in t for t in find_all(callers, "@type")), where,
                     "the 8443 listener has no DownstreamTlsContext")
        errors.check(list(find_all(callers, "validation_context_sds_secret_config"))
                     or list(find_all(callers, "validation_context")), where,
                     "the 8443 listener has no client CA")
        errors.check(list(find_all(callers, "forward_client_cert_details")) == ["SANITIZE_SET"],
                     where, "the 8443 listener must set forward_client_cert_details: SANITIZE_SET")
        details = list(find_all(callers, "set_current_client_cert_details"))
        errors.check(details and details[0].get("uri") is True and details[0].get("subject") is True,
                     where, "set_current_client_cert_details must include uri and subject")
        errors.check(set(find_all(callers, "cluster")) == {"captoken"}, where,
                     "the 8443 listener must route to the captoken cluster")
    for port, listener in by_port.items():
        if port == 8443:
            continue
        forward = list(find_all(listener, "forward_client_cert_details"))
        errors.check(forward in ([], ["SANITIZE"]), where,
                     f"listener on {port} must not forward client certificate details")
        errors.check(not list(find_all(listener, "prefix")), where,
                     f"listener on {port} must route exact paths only")
        for path in find_all(listener, "path"):
            if isinstance(path, str):
                errors.check(path == "/grpc.health.v1.Health/Check", where,
                             f"listener on {port} routes {path}: only the health check may pass")
    cluster = next((c for c in clusters if c["name"] == "captoken"), None)
    if errors.check(cluster, where, "no captoken cluster"):
        addresses = [e["endpoint"]["address"]["socket_address"]
                     for group in cluster["load_assignment"]["endpoints"]
                     for e in group["lb_endpoints"]]
        errors.check(addresses == [{"address": server_host if server_host != "localhost"
                                    else "127.0.0.1", "port_value": server_port}], where,
                     f"the captoken cluster must be {server_host}:{server_port}, the server's address")
        options = cluster.get("typed_extension_protocol_options", {}).get(
            "envoy.extensions.upstreams.http.v3.HttpProtocolOptions", {})
        errors.check("http2_protocol_options" in options.get("explicit_http_config", {}), where,
                     "the captoken cluster must speak HTTP/2 (explicit_http_config)")

    # The files Envoy reads are where the sidecar mounts them.
    envoys = [c for c in pod_spec.get("initContainers", []) + pod_spec.get("containers", [])
              if c["name"] == "envoy"]
    if not errors.check(len(envoys) == 1, where, "the pod has no envoy container"):
        return 8443
    envoy = envoys[0]
    errors.check(envoy.get("restartPolicy") == "Always"
                 and envoy in pod_spec.get("initContainers", []), where,
                 "Envoy must be a native sidecar, so it outlives the server's drain")
    config_path = next((a for a in envoy.get("args", []) if a.endswith("envoy.yaml")), None)
    paths = [config_path] + [p for p in find_all(config, "path") if str(p).startswith("/etc/")]
    sds_files = [p for p in paths if p and p.endswith(".yaml") and p != config_path]
    for sds in sds_files:
        local = os.path.join(os.path.dirname(ENVOY), os.path.basename(sds))
        if errors.check(os.path.exists(local), where, f"{sds} has no file {local}"):
            for data in load_yaml_docs(local):
                paths.extend(find_all(data, "filename"))
    for path in paths:
        if path is None or path.endswith("/tls") or path.endswith("/config"):
            continue
        errors.check(mounted_file(pod_spec, envoy, path), where,
                     f"Envoy reads {path}, which is on none of its volumes")
    return 8443


def check_service_config(errors):
    where = SERVICE_CONFIG
    with open(SERVICE_CONFIG, encoding="utf-8") as file:
        try:
            config = json.load(file)
        except json.JSONDecodeError as error:
            errors.add(where, f"not JSON: {error}")
            return
    policies = config.get("loadBalancingConfig", [])
    errors.check(policies and list(policies[0]) == ["round_robin"]
                 or config.get("loadBalancingPolicy") == "round_robin", where,
                 "must use round_robin")
    methods = [m for m in config.get("methodConfig", [])
               if {"service": "captoken.v1.TokenService"} in m.get("name", [])]
    if not errors.check(len(methods) == 1, where,
                        "needs one methodConfig for captoken.v1.TokenService"):
        return
    method = methods[0]
    timeout = re.fullmatch(r"([0-9.]+)s", method.get("timeout", ""))
    # gRPC's C core (C++, Python) expires it 1 to 2 s early
    # (grpc/grpc#34547; deploy/service_config_test.cc): below 3 s, C-core
    # clients would have less than a second, or fail every call at once.
    errors.check(timeout and float(timeout.group(1)) >= 3, where,
                 "needs a timeout of at least 3s (the C core expires it 1 to 2 s early)")
    errors.check("hedgingPolicy" not in method, where, "must not hedge")
    retry = method.get("retryPolicy", {})
    errors.check(retry.get("retryableStatusCodes") == ["UNAVAILABLE"], where,
                 "must retry UNAVAILABLE and nothing else")
    errors.check(retry.get("maxAttempts") == 3, where, "must make at most 3 attempts")
    for field in ("initialBackoff", "maxBackoff", "backoffMultiplier"):
        errors.check(field in retry, where, f"retryPolicy needs {field}")


IMAGE_BINARIES = set()


def check_dockerfile(errors):
    """The final stage: numeric non-root USER, only binaries and libraries."""
    where = DOCKERFILE
    with open(DOCKERFILE, encoding="utf-8") as file:
        text = re.sub(r"\\\n", " ", file.read())
    lines = [l.strip() for l in text.splitlines() if l.strip() and not l.strip().startswith("#")]
    stages, current = [], None
    for line in lines:
        instruction, _, rest = line.partition(" ")
        instruction = instruction.upper()
        if instruction == "FROM":
            current = {"from": rest.split()[0], "as": rest.split()[-1] if " AS " in
                       line.upper() else None, "lines": []}
            stages.append(current)
        elif current is not None:
            current["lines"].append((instruction, rest.strip()))
    if not errors.check(len(stages) >= 2, where, "must be multi-stage"):
        return
    build, final = stages[0], stages[-1]
    errors.check(build["from"] == "debian:12", where, "the build stage must be FROM debian:12")
    build_text = " ".join(rest for _, rest in build["lines"])
    errors.check("bazel/setup.sh build" in build_text, where,
                 "the build stage must install what bazel/setup.sh installs")
    for target in ("//service:server", "//client/cli:captoken"):
        errors.check(target in build_text, where, f"the build stage must build {target}")
    errors.check("deploy/collect-libs.sh /out/staging" in build_text, where,
                 "the build stage must collect the libraries with deploy/collect-libs.sh")
    copied_out = re.findall(r"cp -L ([^&]*?) /out/captoken/", build_text)
    binaries = {os.path.basename(p) for p in " ".join(copied_out).split()}
    errors.check(binaries == {"server", "captoken"}, where,
                 f"/out/captoken must hold exactly the server and captoken, not {sorted(binaries)}")
    errors.check(re.match(r"(debian:12-slim|gcr\.io/distroless/cc-debian12)(:|@|$)", final["from"]),
                 where, "the final stage must be FROM debian:12-slim or distroless/cc-debian12")
    users = [rest for instruction, rest in final["lines"] if instruction == "USER"]
    if errors.check(users, where, "the final stage needs a USER"):
        user = users[-1].split(":")
        errors.check(all(p.isdigit() and int(p) > 0 for p in user), where,
                     f"USER {users[-1]} must be a numeric non-root uid (and gid)")
    allowed_sources = {"/out/staging/": "/", "/out/captoken/": "/captoken/"}
    for instruction, rest in final["lines"]:
        errors.check(instruction not in ("ADD", "RUN"), where,
                     f"the final stage must not {instruction}")
        if instruction == "COPY":
            parts = rest.split()
            errors.check(parts[0] == f"--from={build['as']}", where,
                         f"COPY {rest}: the final stage copies only from the build stage")
            errors.check(len(parts) == 3 and allowed_sources.get(parts[1]) == parts[2], where,
                         f"COPY {rest}: only the binaries and their libraries")
    if errors.check(("ENTRYPOINT", '["/captoken/server"]') in final["lines"], where,
                    'needs ENTRYPOINT ["/captoken/server"]'):
        IMAGE_BINARIES.update({f"/captoken/{b}" for b in binaries})
    errors.check(any(i == "CMD" and "--config=/etc/captoken/config.textproto" in r
                     for i, r in final["lines"]), where,
                 "needs CMD --config=/etc/captoken/config.textproto")
    with open(DOCKERIGNORE, encoding="utf-8") as file:
        ignored = {l.strip() for l in file if l.strip() and not l.startswith("#")}
    for entry in (".git", "**/bazel-*", "user.bazelrc"):
        errors.check(entry in ignored, DOCKERIGNORE, f"must exclude {entry}")


def check_yaml_parses(errors):
    count = 0
    for directory, _, files in os.walk("deploy"):
        for name in files:
            if name.endswith((".yaml", ".yml")):
                path = os.path.join(directory, name)
                try:
                    load_yaml_docs(path)
                    count += 1
                except yaml.YAMLError as error:
                    errors.add(path, f"does not parse: {error}")
    errors.check(count >= 10, "deploy", f"found only {count} YAML files")


def check_kustomizations_list_everything(errors):
    """A manifest the kustomization forgets is never applied."""
    for directory in (f"{BASE}/base", f"{BASE}/cert-manager"):
        kustomization = load_yaml_docs(os.path.join(directory, "kustomization.yaml"))[0]
        listed = set(kustomization.get("resources", []))
        for name in os.listdir(directory):
            if name.endswith(".yaml") and name != "kustomization.yaml":
                errors.check(name in listed, directory, f"{name} is not in kustomization.yaml")


def rendered_variants(errors):
    variants = {}
    for name, directory in (("default", BASE), ("mesh", MESH)):
        try:
            resources = render(directory)
        except (ValueError, KeyError, OSError) as error:
            errors.add(directory, f"does not render: {error}")
            continue
        try:
            real = kubectl_render(directory)
        except ValueError as error:
            errors.add(directory, str(error))
            real = None
        if real is not None:
            generated = ["captoken-envoy"]
            errors.check(without_name_hashes(real, generated)
                         == without_name_hashes(resources, generated), directory,
                         "kubectl kustomize renders it differently from this check's renderer")
        variants[name] = resources
    return variants


def run_static_checks(errors, mutate=None):
    check_yaml_parses(errors)
    check_kustomizations_list_everything(errors)
    check_dockerfile(errors)
    check_service_config(errors)
    variants = rendered_variants(errors)
    if mutate is not None:
        mutate(variants)
    for name, resources in variants.items():
        check_variant(resources, f"[{name}]", errors, mesh=(name == "mesh"))
    # The mesh overlay repeats the accounts and caller policies: they must
    # not drift apart.
    configs = {name: next((r["data"].get("config.textproto") for r in resources
                           if r["kind"] == "ConfigMap" and r["metadata"]["name"] == "captoken-config"),
                          None) for name, resources in variants.items()}
    if all(configs.get(n) for n in ("default", "mesh")):
        default, mesh = (canonical_config(configs[n]) for n in ("default", "mesh"))
        errors.check(default is None or mesh is None or default == mesh, MESH,
                     "the mesh config's accounts, callers and limits differ from the base's "
                     "(only listen_address and transport may)")
    return variants


# --------------------------------------------------------------------------
# Self-test: every rule must catch a broken copy.

def pod(variants, name="default"):
    deployment = next(r for r in variants[name] if r["kind"] == "Deployment")
    return deployment["spec"]["template"]["spec"]


def server(variants, name="default"):
    return next(c for c in pod(variants, name)["containers"] if c["name"] == "server")


def config_map(variants, name="default"):
    return next(r for r in variants[name] if r["kind"] == "ConfigMap"
                and r["metadata"]["name"] == "captoken-config")


def kind(variants, kind_name, name="default"):
    return next(r for r in variants[name] if r["kind"] == kind_name)


MUTATIONS = {
    "no readiness probe": lambda v: server(v).pop("readinessProbe"),
    "no liveness probe on the sidecar": lambda v: pod(v, "mesh")["initContainers"][0]
        .pop("livenessProbe"),
    "no memory limit": lambda v: server(v)["resources"]["limits"].pop("memory"),
    "root user": lambda v: server(v)["securityContext"].update(runAsUser=0),
    "writable root": lambda v: server(v)["securityContext"].update(readOnlyRootFilesystem=False),
    "privilege escalation": lambda v: server(v)["securityContext"].pop("allowPrivilegeEscalation"),
    "capabilities kept": lambda v: server(v)["securityContext"]["capabilities"].update(drop=[]),
    "unconfined seccomp": lambda v: (server(v)["securityContext"].pop("seccompProfile"),
                                     pod(v)["securityContext"].pop("seccompProfile")),
    "secret in env": lambda v: server(v).setdefault("env", []).append(
        {"name": "TWILIO_AUTH_TOKEN", "valueFrom": {"secretKeyRef": {"name": "x", "key": "y"}}}),
    "auth token through subPath": lambda v: next(
        m for m in server(v)["volumeMounts"] if m["name"] == "twilio-main").update(subPath="x"),
    "auth token not mounted": lambda v: server(v).update(volumeMounts=[
        m for m in server(v)["volumeMounts"] if m["name"] != "twilio-main"]),
    "config in env": lambda v: config_map(v)["data"].update({"config.textproto": config_map(
        v)["data"]["config.textproto"].replace('file: "/var/run/secrets/captoken/main/auth-token"',
                                               'env: "TWILIO_AUTH_TOKEN"')}),
    "config typo": lambda v: config_map(v)["data"].update({"config.textproto": config_map(
        v)["data"]["config.textproto"] + "\nmax_tll { seconds: 1 }\n"}),
    "short grace period": lambda v: pod(v).update(terminationGracePeriodSeconds=20),
    "service selects nothing": lambda v: kind(v, "Service")["spec"]["selector"].update(
        {"app.kubernetes.io/name": "other"}),
    "no headless service": lambda v: kind(v, "Service")["spec"].pop("clusterIP"),
    "pdb too lax": lambda v: kind(v, "PodDisruptionBudget")["spec"].update(minAvailable=1),
    "hpa on another deployment": lambda v: kind(v, "HorizontalPodAutoscaler")["spec"][
        "scaleTargetRef"].update(name="other"),
    "egress allowed": lambda v: kind(v, "NetworkPolicy")["spec"].update(egress=[{}]),
    "ingress from everyone": lambda v: kind(v, "NetworkPolicy")["spec"]["ingress"][0].pop("from"),
    "probe binary missing": lambda v: server(v)["livenessProbe"]["exec"]["command"].__setitem__(
        0, "/bin/grpc_health_probe"),
    "mesh service on the server's loopback port": lambda v: kind(v, "Service", "mesh")["spec"][
        "ports"][0].update(targetPort=50051),
    "mesh config drifted from the base": lambda v: config_map(v, "mesh")["data"].update(
        {"config.textproto": config_map(v, "mesh")["data"]["config.textproto"].replace(
            "per_second: 100", "per_second: 1000")}),
    "mesh server on every interface": lambda v: config_map(v, "mesh")["data"].update(
        {"config.textproto": config_map(v, "mesh")["data"]["config.textproto"].replace(
            "127.0.0.1:50051", "0.0.0.0:50051")}),
}

FILE_MUTATIONS = {
    ENVOY: [("SANITIZE_SET", "APPEND_FORWARD"), ("require_client_certificate: true",
             "require_client_certificate: false"), ("port_value: 50051", "port_value: 50052"),
            ("http2_protocol_options:\n            max_concurrent_streams: 100\n    circuit",
             "{}\n    circuit"), ("address: 127.0.0.1, port_value: 9901",
                                   "address: 0.0.0.0, port_value: 9901")],
    SERVICE_CONFIG: [('["UNAVAILABLE"]', '["UNAVAILABLE", "INTERNAL"]'),
                     ('"timeout": "3s"', '"timeout": "1s"'),
                     ('"round_robin"', '"pick_first"')],
    DOCKERFILE: [("USER 65532:65532", "USER nonroot"), ("USER 65532:65532", "USER 0"),
                 ("COPY --from=build /out/captoken/ /captoken/",
                  "COPY --from=build /out/captoken/ /captoken/\nCOPY . /src/")],
}


def self_test():
    # The file mutations edit a copy: under Bazel the files are links into
    # the source tree.
    copy_root = tempfile.mkdtemp(prefix="check_manifests_")
    for tree in ("deploy", "proto"):
        shutil.copytree(tree, os.path.join(copy_root, tree), symlinks=False)
    os.chdir(copy_root)
    global USE_KUBECTL
    USE_KUBECTL = False  # the plain run compares the renderers; this one is about the rules
    failures = []
    clean = Errors()
    run_static_checks(clean)
    if clean.messages:
        failures.append("the unmodified files fail: " + "; ".join(clean.messages))
    for name, mutation in MUTATIONS.items():
        errors = Errors()
        run_static_checks(errors, mutate=mutation)
        if not errors.messages:
            failures.append(f"mutation not caught: {name}")
        elif VERBOSE:
            print(f"{name}: {errors.messages}")
    for path, replacements in FILE_MUTATIONS.items():
        with open(path, encoding="utf-8") as file:
            original = file.read()
        for old, new in replacements:
            if old not in original:
                failures.append(f"{path}: mutation target {old!r} not found")
                continue
            try:
                with open(path, "w", encoding="utf-8") as file:
                    file.write(original.replace(old, new))
                errors = Errors()
                run_static_checks(errors)
                if not errors.messages:
                    failures.append(f"{path}: mutation not caught: {old!r} -> {new!r}")
                elif VERBOSE:
                    print(f"{path} {new!r}: {errors.messages}")
            finally:
                with open(path, "w", encoding="utf-8") as file:
                    file.write(original)
    total = len(MUTATIONS) + sum(len(r) for r in FILE_MUTATIONS.values())
    for failure in failures:
        print(f"FAIL: {failure}")
    print(f"{total - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


# --------------------------------------------------------------------------
# Smoke test: the real server, with each variant's ConfigMap, files laid out
# as the kubelet lays them out, and each exec probe run as the kubelet would.

# Test stand-ins for the Secrets' files (tests/testing/make_test_pki.sh).
TEST_SECRET_FILES = {
    ("captoken-server-tls", "tls.crt"): "server.pem",
    ("captoken-server-tls", "tls.key"): "server.key",
    ("captoken-server-tls", "ca.crt"): "ca.pem",
    # The probe: an identity no caller policy names.
    ("captoken-probe-tls", "tls.crt"): "batch.pem",
    ("captoken-probe-tls", "tls.key"): "batch.key",
}


def write_atomic_dir(directory, files, generation):
    """A Secret or ConfigMap volume as the kubelet writes it: files in a
    timestamped directory, `..data` linking to it, and each name linking
    through `..data`; a new generation replaces `..data` in one rename."""
    os.makedirs(directory, exist_ok=True)
    version = f"..{generation:04d}_generation"
    os.makedirs(os.path.join(directory, version))
    for relative, content in files.items():
        path = os.path.join(directory, version, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as file:
            file.write(content)
    os.symlink(version, os.path.join(directory, "..data_tmp"))
    os.rename(os.path.join(directory, "..data_tmp"), os.path.join(directory, "..data"))
    for relative in files:
        top = relative.split("/")[0]
        link = os.path.join(directory, top)
        if not os.path.lexists(link):
            os.symlink(os.path.join("..data", top), link)


class ServerProcess:
    def __init__(self, command):
        self.lines = []
        self.process = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
        import threading
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for raw in self.process.stderr:
            self.lines.append(raw.decode(errors="replace").rstrip("\n"))

    def events(self):
        found = []
        for line in list(self.lines):
            try:
                found.append(json.loads(line))
            except json.JSONDecodeError:
                pass
        return found

    def wait_for(self, event, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for entry in self.events():
                if entry.get("event") == event:
                    return entry
                if entry.get("event") == "startup_failed":
                    return entry
            if self.process.poll() is not None:
                time.sleep(0.1)
                return next((e for e in self.events() if e.get("event") in (event, "startup_failed")),
                            None)
            time.sleep(0.05)
        return None

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def smoke_variant(name, resources, binaries, pki, root, errors, rotate):
    where = f"[{name}] smoke"
    deployment = next(r for r in resources if r["kind"] == "Deployment")
    pod_spec = deployment["spec"]["template"]["spec"]
    container = next(c for c in pod_spec["containers"] if c["name"] == "server")
    volumes = {v["name"]: v for v in pod_spec["volumes"]}
    config_maps = {r["metadata"]["name"]: r for r in resources if r["kind"] == "ConfigMap"}
    mounts = [m["mountPath"] for m in container.get("volumeMounts", [])]

    mount_pattern = re.compile(
        r'(^|["=])(' + "|".join(re.escape(m) for m in sorted(mounts, key=len, reverse=True))
        + r")(?=/|\"|$)", re.MULTILINE)

    def relocate(text):  # one pass: a relocated path is never relocated again
        return mount_pattern.sub(lambda m: m.group(1) + root + m.group(2), text)

    auth = {"auth-token": b"old-auth-token-0123456789\n",
            "secondary-auth-token": b"old-auth-token-0123456789\n"}
    secret_dirs = {}
    for mount in container.get("volumeMounts", []):
        volume = volumes[mount["name"]]
        target = root + mount["mountPath"]
        files = {}
        if "projected" in volume or "configMap" in volume or "secret" in volume:
            sources = volume["projected"]["sources"] if "projected" in volume else [volume]
            for source in sources:
                if "configMap" in source:
                    data = config_maps[source["configMap"]["name"]]["data"]
                    for item in source["configMap"].get("items", [{"key": k, "path": k} for k in data]):
                        files[item["path"]] = relocate(data[item["key"]]).encode()
                else:
                    secret = source["secret"].get("secretName") or source["secret"].get("name")
                    items = source["secret"].get("items")
                    if items is None:  # an account's Secret: auth-token files
                        files.update(auth)
                        secret_dirs[target] = dict(auth)
                    for item in items or []:
                        stand_in = TEST_SECRET_FILES.get((secret, item["key"]))
                        if not errors.check(stand_in, where, f"no test file for {secret}/{item['key']}"):
                            continue
                        with open(os.path.join(pki, stand_in), "rb") as file:
                            files[item["path"]] = file.read()
            write_atomic_dir(target, files, 1)
        else:
            os.makedirs(target, exist_ok=True)

    args = [relocate(a) for a in container.get("args", [])]
    process = ServerProcess([binaries["/captoken/server"]] + args + ["--listen=127.0.0.1:0"])
    try:
        listening = process.wait_for("listening", 30)
        if not errors.check(listening and listening.get("event") == "listening", where,
                            "the server did not start with this config: "
                            + "\n".join(process.lines[-5:])):
            return
        port = listening["port"]
        for probe_name in ("readinessProbe", "livenessProbe"):
            command = container[probe_name]["exec"]["command"]
            command = [binaries.get(command[0], command[0])] + [
                re.sub(r":50051$", f":{port}", relocate(a)) for a in command[1:]]
            result = subprocess.run(command, capture_output=True, text=True, check=False,
                                    timeout=container[probe_name].get("timeoutSeconds", 1) + 5)
            errors.check(result.returncode == 0, where,
                         f"the {probe_name} fails against the server: {result.stderr.strip()}")
        if rotate:
            # Step 1 of docs/deploy.md's rotation: the new token as secondary,
            # written the way the kubelet updates a Secret volume.
            interval = re.search(r"secret_watch_interval\s*\{\s*seconds:\s*(\d+)",
                                 relocate(config_maps["captoken-config"]["data"]["config.textproto"]))
            interval = int(interval.group(1)) if interval else 10
            for directory, files in secret_dirs.items():
                files["secondary-auth-token"] = b"new-auth-token-9876543210\n"
                write_atomic_dir(directory, files, 2)
            reloaded = process.wait_for("reloaded", interval + 10)
            errors.check(reloaded and reloaded.get("event") == "reloaded", where,
                         "the server did not reload after the Secret's files changed: "
                         + "\n".join(process.lines[-3:]))
        grace = pod_spec.get("terminationGracePeriodSeconds", 30)
        start = time.monotonic()
        process.process.send_signal(signal.SIGTERM)
        try:
            code = process.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            code = None
        errors.check(code == 0, where,
                     f"on SIGTERM the server did not drain and exit 0 within {grace} s "
                     f"(exit {code}, {time.monotonic() - start:.1f} s)")
        process.reader.join(timeout=5)
        errors.check(process.wait_for("stopped", 1), where, "no `stopped` log line after SIGTERM")
    finally:
        process.stop()


def run_smoke(errors, server_binary, cli_binary, pki_script):
    binaries = {"/captoken/server": os.path.abspath(server_binary),
                "/captoken/captoken": os.path.abspath(cli_binary)}
    work = tempfile.mkdtemp(prefix="captoken_smoke_", dir=os.environ.get("TEST_TMPDIR"))
    pki = os.path.join(work, "pki")
    subprocess.run(["bash", pki_script, pki], check=True)
    for name, directory in (("default", BASE), ("mesh", MESH)):
        smoke_variant(name, render(directory), binaries, pki, os.path.join(work, name),
                      errors, rotate=(name == "default"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--self-test", action="store_true")
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--server")
    parser.add_argument("--cli")
    parser.add_argument("--pki")
    options = parser.parse_args()
    if options.self_test:
        return self_test()
    errors = Errors()
    if options.smoke:
        if not (options.server and options.cli and options.pki):
            parser.error("--smoke needs --server, --cli and --pki")
        check_dockerfile(errors)  # which binaries the image has
        run_smoke(errors, options.server, options.cli, options.pki)
    else:
        variants = run_static_checks(errors)
        print(f"checked {len(variants)} variants: "
              + ", ".join(f"{n} ({len(r)} resources)" for n, r in variants.items()))
        print("rendering compared with `kubectl kustomize`" if KUBECTL_COPY else
              "kubectl not installed: rendering not compared with `kubectl kustomize`")
    for message in errors.messages:
        print(f"FAIL: {message}")
    print(f"{0 if errors.messages else 1} passed, {1 if errors.messages else 0} failed")
    return 1 if errors.messages else 0


if __name__ == "__main__":
    sys.exit(main())
