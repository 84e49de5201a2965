"""Rules every container of every variant must meet (docs/deploy.md, "The
security context, and why")."""

import re

from checks.findings import rule
from checks.parsing import parse_quantity


def each_container(tree):
    """(variant, container, is_regular_init, where) for every container."""
    for variant in tree.variants.values():
        for container, is_regular_init in variant.containers():
            yield (variant, container, is_regular_init,
                   f"{variant.where} container {container['name']}")


def security(variant, container, field, default=None):
    """A securityContext field, the container's over the pod's."""
    pod = variant.pod_spec.get("securityContext", {})
    return container.get("securityContext", {}).get(field, pod.get(field, default))


@rule("probes")
def probes(tree, report):
    # A regular init container runs to completion and takes no probes.
    for _, container, is_regular_init, where in each_container(tree):
        if is_regular_init:
            continue
        for probe in ("readinessProbe", "livenessProbe"):
            handlers = [h for h in ("exec", "grpc", "httpGet", "tcpSocket")
                        if h in container.get(probe, {})]
            report.check(len(handlers) == 1, where, f"needs a {probe} with one handler")


@rule("resources")
def resources(tree, report):
    for _, container, _, where in each_container(tree):
        declared = container.get("resources", {})
        for resource in ("cpu", "memory"):
            request = declared.get("requests", {}).get(resource)
            limit = declared.get("limits", {}).get(resource)
            if report.check(request is not None and limit is not None, where,
                            f"needs {resource} requests and limits"):
                report.check(parse_quantity(request) <= parse_quantity(limit), where,
                             f"{resource} request exceeds its limit")


@rule("non-root")
def non_root(tree, report):
    # A numeric user lets the kubelet verify non-root without the image.
    for variant, container, _, where in each_container(tree):
        user = security(variant, container, "runAsUser")
        report.check(security(variant, container, "runAsNonRoot") is True, where,
                     "needs runAsNonRoot: true")
        report.check(isinstance(user, int) and not isinstance(user, bool) and user > 0,
                     where, "needs a numeric, non-zero runAsUser")


@rule("read-only-root")
def read_only_root(tree, report):
    for _, container, _, where in each_container(tree):
        report.check(container.get("securityContext", {}).get("readOnlyRootFilesystem") is True,
                     where, "needs readOnlyRootFilesystem: true")


@rule("no-privilege")
def no_privilege(tree, report):
    for _, container, _, where in each_container(tree):
        context = container.get("securityContext", {})
        report.check(context.get("allowPrivilegeEscalation") is False, where,
                     "needs allowPrivilegeEscalation: false")
        report.check(context.get("privileged") is not True, where, "must not be privileged")


@rule("capabilities")
def capabilities(tree, report):
    for _, container, _, where in each_container(tree):
        declared = container.get("securityContext", {}).get("capabilities", {})
        report.check("ALL" in declared.get("drop", []), where, "must drop ALL capabilities")
        report.check(not declared.get("add"), where, "must add no capabilities")


@rule("seccomp")
def seccomp(tree, report):
    for variant, container, _, where in each_container(tree):
        profile = security(variant, container, "seccompProfile", {})
        report.check(profile.get("type") == "RuntimeDefault", where,
                     "needs the RuntimeDefault seccomp profile")


@rule("pinned-image")
def pinned_image(tree, report):
    for _, container, _, where in each_container(tree):
        image = container.get("image", "")
        report.check(("@sha256:" in image or re.search(r":[^/:]+$", image))
                     and not image.endswith(":latest"), where,
                     f"image {image!r} is not pinned to a tag or digest")


@rule("no-secret-in-env")
def no_secret_in_env(tree, report):
    # Environment variables leak into child processes, crash reports and
    # `kubectl describe`; files do not, and are updated for rotation.
    for _, container, _, where in each_container(tree):
        for variable in container.get("env", []):
            report.check("secretKeyRef" not in variable.get("valueFrom", {}), where,
                         f"env {variable['name']} comes from a Secret: mount it as a file")
            report.check(not re.search(r"TOKEN|SECRET|PASSWORD|KEY", variable["name"]), where,
                         f"env {variable['name']} looks like a secret: mount it as a file")
        for source in container.get("envFrom", []):
            report.check("secretRef" not in source, where, "envFrom a Secret: mount it as files")
