#!/usr/bin/python3
"""Each rule of deploy/checks catches a copy of deploy/ broken on purpose.

    deploy/manifest_self_test.py [-v]

A mutation names the rule it targets, and passes only if that rule reports
a finding on the broken copy: a finding from any other rule does not count,
so a rule that stops working cannot hide behind one that trips over the
same damage. The unmodified files must give no finding at all, and every
rule must be the target of at least one mutation.

Two kinds: RENDERED mutations edit what `kubectl kustomize` printed (a
probe removed, runAsUser 0, ...); FILE mutations edit a file in a copy of
deploy/ (the Envoy config, a kustomization, the Dockerfile, ...), which is
rendered again with kubectl.
"""

import copy
import os
import shutil
import sys
import tempfile

# Bazel's runfiles and the source tree are no place for __pycache__.
sys.dont_write_bytecode = True

from checks import kustomize, rules  # noqa: E402
from checks.tree import DOCKERFILE, ENVOY, SERVICE_CONFIG, Tree  # noqa: E402

BASE_DIR = "deploy/kubernetes/base"
MESH_DIR = "deploy/kubernetes/overlays/mesh"


def pod(variants, name="default"):
    deployment = next(r for r in variants[name] if r["kind"] == "Deployment")
    return deployment["spec"]["template"]["spec"]


def pod_metadata(variants, name="default"):
    deployment = next(r for r in variants[name] if r["kind"] == "Deployment")
    return deployment["spec"]["template"]["metadata"]


def container(variants, container_name="server", name="default"):
    spec = pod(variants, name)
    return next(c for c in spec.get("initContainers", []) + spec["containers"]
                if c["name"] == container_name)


def server(variants, name="default"):
    return container(variants, "server", name)


def kind(variants, kind_name, name="default"):
    return next(r for r in variants[name] if r["kind"] == kind_name)


def edit_config(variants, old, new, name="default"):
    """Replaces `old` (which must be there) in the server's config."""
    config_map = next(r for r in variants[name] if r["kind"] == "ConfigMap"
                      and r["metadata"]["name"] == "captoken-config")
    text = config_map["data"]["config.textproto"]
    if old not in text:
        raise ValueError(f"mutation target {old!r} not in the {name} config")
    config_map["data"]["config.textproto"] = text.replace(old, new)


AUTH_TOKEN_FILE = 'file: "/var/run/secrets/captoken/main/auth-token"'

# (name, rule it targets, mutate(variant name -> rendered resources)).
RENDERED_MUTATIONS = [
    ("no readiness probe", "probes", lambda v: server(v).pop("readinessProbe")),
    ("no liveness probe on the sidecar", "probes",
     lambda v: container(v, "envoy", "mesh").pop("livenessProbe")),
    ("no memory limit", "resources", lambda v: server(v)["resources"]["limits"].pop("memory")),
    ("root user", "non-root", lambda v: server(v)["securityContext"].update(runAsUser=0)),
    ("writable root", "read-only-root",
     lambda v: server(v)["securityContext"].update(readOnlyRootFilesystem=False)),
    ("privilege escalation", "no-privilege",
     lambda v: server(v)["securityContext"].pop("allowPrivilegeEscalation")),
    ("capabilities kept", "capabilities",
     lambda v: server(v)["securityContext"]["capabilities"].update(drop=[])),
    ("unconfined seccomp", "seccomp",
     lambda v: (server(v)["securityContext"].pop("seccompProfile", None),
                pod(v)["securityContext"].pop("seccompProfile", None))),
    ("secret in env", "no-secret-in-env", lambda v: server(v).setdefault("env", []).append(
        {"name": "TWILIO_AUTH_TOKEN", "valueFrom": {"secretKeyRef": {"name": "x", "key": "y"}}})),
    ("two replicas", "deployment",
     lambda v: kind(v, "Deployment")["spec"].update(replicas=2)),
    ("a Service outside the namespace", "namespace",
     lambda v: kind(v, "Service")["metadata"].pop("namespace")),
    ("service account token mounted", "pod-hardening",
     lambda v: pod(v).update(automountServiceAccountToken=True)),
    ("no spread over zones", "topology-spread",
     lambda v: pod(v).pop("topologySpreadConstraints")),
    ("not scraped", "metrics",
     lambda v: pod_metadata(v)["annotations"].pop("prometheus.io/scrape")),
    ("probe binary missing", "probe-targets",
     lambda v: server(v)["livenessProbe"]["exec"]["command"].__setitem__(
         0, "/bin/grpc_health_probe")),
    ("short grace period", "drain", lambda v: pod(v).update(terminationGracePeriodSeconds=20)),
    ("auth token through subPath", "secret-files", lambda v: next(
        m for m in server(v)["volumeMounts"] if m["name"] == "twilio-main").update(subPath="x")),
    ("auth token not mounted", "secret-files", lambda v: server(v).update(volumeMounts=[
        m for m in server(v)["volumeMounts"] if m["name"] != "twilio-main"])),
    ("config in env", "server-config",
     lambda v: edit_config(v, AUTH_TOKEN_FILE, 'env: "TWILIO_AUTH_TOKEN"')),
    ("config typo", "server-config",
     lambda v: edit_config(v, "secret_watch_interval", "max_tll { seconds: 1 }\nsecret_watch_interval")),
    ("no client CA", "transport",
     lambda v: edit_config(v, 'client_ca_file: "/etc/captoken/tls/ca.crt"', "")),
    ("mesh server on every interface", "transport",
     lambda v: edit_config(v, "127.0.0.1:50051", "0.0.0.0:50051", "mesh")),
    ("mesh config drifted from the base", "mesh-config-matches-base",
     lambda v: edit_config(v, "per_second: 100", "per_second: 1000", "mesh")),
    ("service selects nothing", "services", lambda v: kind(v, "Service")["spec"]["selector"].update(
        {"app.kubernetes.io/name": "other"})),
    ("no headless service", "services", lambda v: next(
        s for s in v["default"] if s["kind"] == "Service"
        and s["spec"].get("clusterIP") == "None")["spec"].pop("clusterIP")),
    ("mesh service on the server's loopback port", "services",
     lambda v: kind(v, "Service", "mesh")["spec"]["ports"][0].update(targetPort=50051)),
    ("pdb too lax", "disruption-budget",
     lambda v: kind(v, "PodDisruptionBudget")["spec"].update(minAvailable=1)),
    ("hpa on another deployment", "autoscaler", lambda v: kind(v, "HorizontalPodAutoscaler")[
        "spec"]["scaleTargetRef"].update(name="other")),
    ("egress allowed", "network-policy",
     lambda v: kind(v, "NetworkPolicy")["spec"].update(egress=[{}])),
    ("ingress from everyone", "network-policy",
     lambda v: kind(v, "NetworkPolicy")["spec"]["ingress"][0].pop("from")),
    ("envoy a regular init container", "envoy-sidecar",
     lambda v: container(v, "envoy", "mesh").pop("restartPolicy")),
    ("envoy without its certificates", "envoy-files-mounted",
     lambda v: container(v, "envoy", "mesh").update(volumeMounts=[
         m for m in container(v, "envoy", "mesh")["volumeMounts"] if m["name"] != "envoy-tls"])),
]

# (file, rule it targets, text in the file, its replacement).
FILE_MUTATIONS = [
    (ENVOY, "envoy-callers-listener", "SANITIZE_SET", "APPEND_FORWARD"),
    (ENVOY, "envoy-callers-listener", "require_client_certificate: true",
     "require_client_certificate: false"),
    (ENVOY, "envoy-health-listener", '{path: "/grpc.health.v1.Health/Check"', '{prefix: "/"'),
    (ENVOY, "envoy-cluster", "port_value: 50051", "port_value: 50052"),
    (ENVOY, "envoy-cluster",
     "http2_protocol_options:\n            max_concurrent_streams: 100\n    circuit",
     "{}\n    circuit"),
    (ENVOY, "envoy-admin", "address: 127.0.0.1, port_value: 9901",
     "address: 0.0.0.0, port_value: 9901"),
    (SERVICE_CONFIG, "service-config", '["UNAVAILABLE"]', '["UNAVAILABLE", "INTERNAL"]'),
    (SERVICE_CONFIG, "service-config", '"timeout": "3s"', '"timeout": "1s"'),
    (SERVICE_CONFIG, "service-config", '"round_robin"', '"pick_first"'),
    (DOCKERFILE, "dockerfile", "USER 65532:65532", "USER nonroot"),
    (DOCKERFILE, "dockerfile", "USER 65532:65532", "USER 0"),
    (DOCKERFILE, "dockerfile", "COPY --from=build /out/bin/ /",
     "COPY --from=build /out/bin/ /\nCOPY . /src/"),
    # The Dockerfile and the offline build drifting apart, from either side.
    (DOCKERFILE, "dockerfile", "EXPOSE 50051 9090", "EXPOSE 50051"),
    (DOCKERFILE, "dockerfile", 'CMD ["--config=/etc/captoken/config.textproto"]',
     'CMD ["--config=/etc/captoken/other.textproto"]'),
    ("deploy/image.list", "dockerfile", "\nuser 65532:65532\n", "\nuser 65533:65533\n"),
    ("deploy/image.list", "probe-targets", "/captoken/captoken\n", "/captoken/cli\n"),
    ("deploy/Dockerfile.dockerignore", "dockerignore", "\n.git\n", "\n"),
    ("deploy/kubernetes/cert-manager/certificates.yaml", "yaml-parses",
     "kind: Certificate", "kind: [Certificate"),
    (f"{BASE_DIR}/kustomization.yaml", "kustomizations-list-everything",
     "- poddisruptionbudget.yaml\n", ""),
    # kustomize's images transformer: the tag every container ends up with.
    (f"{BASE_DIR}/kustomization.yaml", "pinned-image", 'newTag: "0.1.0"', 'newTag: "latest"'),
    (f"{MESH_DIR}/kustomization.yaml", "renders",
     "networkpolicy-patch.yaml", "no-such-patch.yaml"),
    # The overlay without its NetworkPolicy patch opens the base's port.
    (f"{MESH_DIR}/kustomization.yaml", "network-policy", "- networkpolicy-patch.yaml\n", ""),
]


def verdict(findings, rule_id, name, verbose):
    """None if a finding of `rule_id` is among `findings`, else why not."""
    hit = [f for f in findings if f.rule == rule_id]
    if verbose:
        others = sorted({f.rule for f in findings} - {rule_id})
        print(f"{name}: [{rule_id}] {hit[0].message if hit else 'NOTHING'}"
              + (f" (also: {', '.join(others)})" if others else ""))
    if hit:
        return None
    fired = sorted({f.rule for f in findings})
    return (f"{name}: rule {rule_id} found nothing"
            + (f" (only {', '.join(fired)} did)" if fired else " (no rule did)"))


def file_mutation(path, rule_id, old, new, verbose):
    with open(path, encoding="utf-8") as file:
        original = file.read()
    name = f"{path}: {old!r} -> {new!r}"
    if old not in original:
        return f"{name}: mutation target not found"
    try:
        with open(path, "w", encoding="utf-8") as file:
            file.write(original.replace(old, new))
        return verdict(rules.run_rules(Tree(".")), rule_id, name, verbose)
    finally:
        with open(path, "w", encoding="utf-8") as file:
            file.write(original)


def main():
    verbose = "-v" in sys.argv[1:]
    # Mutations edit a copy: under Bazel the files are links into the
    # source tree. protoc reads proto/ relative to the working directory.
    scratch = tempfile.mkdtemp(prefix="manifest_self_test_", dir=os.environ.get("TEST_TMPDIR"))
    for tree in ("deploy", "proto"):
        shutil.copytree(tree, os.path.join(scratch, tree))
    os.chdir(scratch)
    failures = []
    try:
        clean = Tree(".")
    except kustomize.KubectlMissing as error:
        print(f"FAIL: {error}\n0 passed, 1 failed")
        return 1
    clean_findings = rules.run_rules(clean)
    if clean_findings:
        failures.append("the unmodified files fail: " + "; ".join(
            f"[{f.rule}] {f.where}: {f.message}" for f in clean_findings))
    targeted = {m[1] for m in RENDERED_MUTATIONS} | {m[1] for m in FILE_MUTATIONS}
    for rule_id in sorted(targeted - set(rules.RULES)):
        failures.append(f"a mutation targets {rule_id}, which is no rule")
    for rule_id in rules.RULES:
        if rule_id not in targeted:
            failures.append(f"no mutation shows that rule {rule_id} catches anything")
    for name, rule_id, mutate in RENDERED_MUTATIONS:
        mutated = copy.deepcopy(clean)
        mutate({n: variant.resources for n, variant in mutated.variants.items()})
        failure = verdict(rules.run_rules(mutated), rule_id, name, verbose)
        if failure:
            failures.append(failure)
    for path, rule_id, old, new in FILE_MUTATIONS:
        failure = file_mutation(path, rule_id, old, new, verbose)
        if failure:
            failures.append(failure)
    shutil.rmtree(scratch, ignore_errors=True)
    total = 1 + len(RENDERED_MUTATIONS) + len(FILE_MUTATIONS)
    for failure in failures:
        print(f"FAIL: {failure}")
    print(f"{len(rules.RULES)} rules; the unmodified files, {len(RENDERED_MUTATIONS)} "
          f"rendered and {len(FILE_MUTATIONS)} file mutations")
    passed = max(total - len(failures), 0)
    print(f"{passed} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
