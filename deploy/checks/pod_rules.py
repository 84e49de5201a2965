"""Rules on each variant's Deployment and pod: that it renders, its
namespace, replicas, pod-level hardening, spread, metrics, what its probes
reach, and that the drain fits in the termination grace period."""

from checks.findings import rule
from checks.parsing import flag, image_binaries, parse_duration_seconds
from checks.tree import IMAGE_LIST, METRICS_PORT, selects


@rule("renders")
def renders(tree, report):
    for directory, error in tree.render_errors.items():
        report.add(directory, f"does not render: {error}")


@rule("deployment")
def deployment(tree, report):
    for variant in tree.variants.values():
        found = variant.of_kind("Deployment")
        if not report.check(len(found) == 1, variant.where,
                            f"expected one Deployment, found {len(found)}"):
            continue
        spec = found[0]["spec"]
        report.check(selects(spec["selector"].get("matchLabels", {}), variant.pod_labels),
                     variant.where, "the Deployment's selector does not match its pod labels")
        report.check(spec.get("replicas", 1) >= 3, variant.where, "needs at least 3 replicas")
        report.check(variant.server is not None, variant.where,
                     "needs one container named server")


@rule("namespace")
def namespace(tree, report):
    for variant in tree.variants.values():
        namespaces = variant.of_kind("Namespace")
        if not report.check(len(namespaces) == 1, variant.where,
                            f"expected one Namespace, found {len(namespaces)}"):
            continue
        name = namespaces[0]["metadata"]["name"]
        for resource in variant.resources:
            if resource["kind"] != "Namespace":
                report.check(resource["metadata"].get("namespace") == name, variant.where,
                             f"{resource['kind']} {resource['metadata']['name']} "
                             f"is not in the {name} namespace")


@rule("pod-hardening")
def pod_hardening(tree, report):
    for variant in tree.variants.values():
        pod, where = variant.pod_spec, variant.where
        # The server calls no Kubernetes API: no API token to steal.
        report.check(pod.get("automountServiceAccountToken") is False, where,
                     "the pod must set automountServiceAccountToken: false")
        for host in ("hostNetwork", "hostPID", "hostIPC"):
            report.check(not pod.get(host), where, f"the pod must not set {host}")
        account = pod.get("serviceAccountName")
        if account:
            accounts = variant.of_kind("ServiceAccount", account)
            report.check(len(accounts) == 1
                         and accounts[0].get("automountServiceAccountToken") is False, where,
                         f"ServiceAccount {account} must exist and not automount its token")


@rule("topology-spread")
def topology_spread(tree, report):
    for variant in tree.variants.values():
        spreads = {c["topologyKey"]: c
                   for c in variant.pod_spec.get("topologySpreadConstraints", [])}
        report.check("topology.kubernetes.io/zone" in spreads, variant.where,
                     "needs a topology spread over zones")
        for constraint in spreads.values():
            report.check(selects(constraint.get("labelSelector", {}).get("matchLabels", {}),
                                 variant.pod_labels), variant.where,
                         f"the {constraint['topologyKey']} spread does not select the pods")


@rule("metrics")
def metrics(tree, report):
    for variant in tree.variants.values():
        if not variant.deployment:
            continue
        annotations = variant.deployment["spec"]["template"]["metadata"].get("annotations", {})
        report.check(annotations.get("prometheus.io/scrape") == "true"
                     and annotations.get("prometheus.io/port") == str(METRICS_PORT),
                     variant.where,
                     f"needs prometheus.io/scrape and prometheus.io/port={METRICS_PORT}")
        report.check(METRICS_PORT in variant.ports(), variant.where,
                     f"no container declares port {METRICS_PORT}")


@rule("probe-targets")
def probe_targets(tree, report):
    # A probe on a port nobody listens on, or running a binary the
    # distroless image does not have, fails every time in the cluster.
    binaries = image_binaries(tree.path(IMAGE_LIST))
    for variant in tree.variants.values():
        ports = variant.ports()
        for container, _ in variant.containers():
            for probe_name in ("readinessProbe", "livenessProbe"):
                probe = container.get(probe_name, {})
                for handler in ("grpc", "httpGet", "tcpSocket"):
                    if handler in probe:
                        report.check(probe[handler]["port"] in ports, variant.where,
                                     f"{container['name']} {probe_name} port "
                                     f"{probe[handler]['port']} is no container's port")
                if "exec" in probe and container["name"] == "server":
                    command = probe["exec"]["command"]
                    report.check(command[0] in binaries, variant.where,
                                 f"{probe_name} runs {command[0]}, which the image does "
                                 f"not have (it has {sorted(binaries)})")


@rule("drain")
def drain(tree, report):
    # The kubelet kills the pod after terminationGracePeriodSeconds: a
    # server still draining then drops the calls in flight.
    for variant in tree.variants.values():
        server, where = variant.server, variant.where
        if server is None:
            continue
        args = server.get("args", [])
        try:
            grace_flag = parse_duration_seconds(flag(args, "drain_grace", "0s"))
            drain_time = grace_flag + parse_duration_seconds(flag(args, "drain_timeout", "10s"))
        except ValueError as error:
            report.add(where, str(error))
            continue
        pre_stop = server.get("lifecycle", {}).get("preStop", {}).get("sleep", {}).get(
            "seconds", 0)
        grace = variant.pod_spec.get("terminationGracePeriodSeconds", 30)
        report.check(grace > drain_time + pre_stop, where,
                     f"terminationGracePeriodSeconds ({grace}) must exceed the drain "
                     f"(--drain_grace + --drain_timeout = {drain_time:g} s, "
                     f"plus preStop {pre_stop} s)")
        report.check(grace_flag > 0, where,
                     "--drain_grace must be set, so endpoints update before calls are refused")
