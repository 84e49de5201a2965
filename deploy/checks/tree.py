"""The deployment files as the rules see them: each variant rendered by
`kubectl kustomize`, and facts about a rendered variant that several rules
need (its pod, its server container, the server's config, its ports)."""

import os

from checks import kustomize
from checks.parsing import flag, textproto_strings

BASE = "deploy/kubernetes"
MESH = "deploy/kubernetes/overlays/mesh"
VARIANT_DIRECTORIES = {"default": BASE, "mesh": MESH}
ENVOY = "deploy/envoy/envoy.yaml"
SERVICE_CONFIG = "deploy/grpc-service-config.json"
DOCKERFILE = "deploy/Dockerfile"
DOCKERIGNORE = "deploy/Dockerfile.dockerignore"
# What goes in the image, for both of its builds.
IMAGE_LIST = "deploy/image.list"
METRICS_PORT = 9090
# Callers' port behind the Envoy sidecar (deploy/envoy/envoy.yaml).
MESH_PORT = 8443


class Tree:
    """deploy/ under `root` (the repository, or a copy the self-test
    breaks), with each variant rendered. A variant kustomize cannot render
    is left out and its error kept for the `renders` rule."""

    def __init__(self, root="."):
        self.root = root
        self.variants = {}
        self.render_errors = {}
        for name, directory in VARIANT_DIRECTORIES.items():
            try:
                self.variants[name] = Variant(name, kustomize.render(root, directory))
            except kustomize.RenderError as error:
                self.render_errors[directory] = str(error)

    def path(self, relative):
        return os.path.join(self.root, relative)


class Variant:
    """One rendered variant: `resources` is what kubectl kustomize printed."""

    def __init__(self, name, resources):
        self.name = name
        self.resources = resources
        self.mesh = name == "mesh"
        self.where = f"[{name}]"

    def of_kind(self, kind, name=None):
        return [r for r in self.resources if r["kind"] == kind
                and (name is None or r["metadata"]["name"] == name)]

    @property
    def deployment(self):
        found = self.of_kind("Deployment")
        return found[0] if len(found) == 1 else None

    @property
    def pod_spec(self):
        return self.deployment["spec"]["template"]["spec"] if self.deployment else {}

    @property
    def pod_labels(self):
        if not self.deployment:
            return {}
        return self.deployment["spec"]["template"]["metadata"].get("labels", {})

    def containers(self):
        """(container, is_regular_init) for every container of the pod; a
        native sidecar (restartPolicy: Always) is not a regular init
        container."""
        spec = self.pod_spec
        for container in spec.get("initContainers", []):
            yield container, container.get("restartPolicy") != "Always"
        for container in spec.get("containers", []):
            yield container, False

    def container(self, name):
        found = [c for c, _ in self.containers() if c["name"] == name]
        return found[0] if len(found) == 1 else None

    @property
    def server(self):
        found = [c for c in self.pod_spec.get("containers", []) if c["name"] == "server"]
        return found[0] if len(found) == 1 else None

    def ports(self):
        """containerPort and port name -> containerPort, for the containers
        that keep running (not regular init containers)."""
        ports = {}
        for container, is_regular_init in self.containers():
            if is_regular_init:
                continue
            for port in container.get("ports", []):
                ports[port["containerPort"]] = port["containerPort"]
                if "name" in port:
                    ports[port["name"]] = port["containerPort"]
        return ports

    def mounted_file(self, container, path):
        """(volume, source, key) providing `path` inside `container`, where
        source is {"secret"|"configMap": volume source} holding it, or None
        for a subPath mount (whose files never update); None if no mount
        provides the path."""
        volumes = {v["name"]: v for v in self.pod_spec.get("volumes", [])}
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
                    kind = "secret" if "secret" in source else "configMap"
                    for item in (source.get(kind) or {}).get("items", []):
                        if item["path"] == relative:
                            return (volume, {kind: source[kind]}, item["key"])
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

    def config_map_file(self, container, path):
        """The text of `path` in `container` if a ConfigMap of this variant
        provides it (not through subPath), else None."""
        provided = self.mounted_file(container, path)
        if not provided or not provided[1] or "configMap" not in provided[1]:
            return None
        found = self.of_kind("ConfigMap", provided[1]["configMap"]["name"])
        if len(found) != 1:
            return None
        return found[0].get("data", {}).get(provided[2])

    @property
    def config_path(self):
        return flag(self.server.get("args", []), "config") if self.server else None

    @property
    def config_text(self):
        """The server's --config file, from the ConfigMap it mounts."""
        if not self.config_path:
            return None
        return self.config_map_file(self.server, self.config_path)

    @property
    def listen(self):
        """(host, port) the server's config listens on."""
        listen = textproto_strings(self.config_text or "", "listen_address")
        host, port = (listen[0] if listen else "127.0.0.1:50051").rsplit(":", 1)
        return host, int(port)

    @property
    def serving_port(self):
        """The port callers reach: Envoy's behind the sidecar, else the
        server's own."""
        return MESH_PORT if self.mesh else self.listen[1]


def selects(selector, labels):
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())
