"""Rules on what routes to, keeps and scales each variant's pods: the
Services, the PodDisruptionBudget, the autoscaler and the NetworkPolicy."""

from checks.findings import rule
from checks.tree import METRICS_PORT, selects

PDB_MIN_AVAILABLE = 2


def one(variant, kind, report):
    found = variant.of_kind(kind)
    report.check(len(found) == 1, variant.where, f"expected one {kind}, found {len(found)}")
    return found[0] if len(found) == 1 else None


@rule("services")
def services(tree, report):
    # Clients balance over the headless Service; occasional callers use the
    # ClusterIP one. Both must reach the port callers are served on.
    for variant in tree.variants.values():
        ports, serving = variant.ports(), variant.serving_port
        found = variant.of_kind("Service")
        headless = [s for s in found if s["spec"].get("clusterIP") == "None"]
        cluster_ip = [s for s in found if s["spec"].get("clusterIP") != "None"
                      and s["spec"].get("type", "ClusterIP") == "ClusterIP"]
        report.check(len(headless) == 1, variant.where,
                     "needs one headless Service (clusterIP: None)")
        report.check(len(cluster_ip) == 1, variant.where, "needs one ClusterIP Service")
        for service in found:
            where = f"{variant.where} Service {service['metadata']['name']}"
            report.check(selects(service["spec"].get("selector", {}), variant.pod_labels), where,
                         "does not select the Deployment's pods")
            for port in service["spec"].get("ports", []):
                target = ports.get(port.get("targetPort", port["port"]))
                report.check(target == serving, where,
                             f"port {port['port']} reaches {target}, not the gRPC port {serving}")
                if service in headless:
                    report.check(port["port"] == serving, where, "a headless Service does no "
                                 "port mapping: its port must be the pods'")


@rule("disruption-budget")
def disruption_budget(tree, report):
    for variant in tree.variants.values():
        pdb = one(variant, "PodDisruptionBudget", report)
        if pdb:
            report.check(selects(pdb["spec"].get("selector", {}).get("matchLabels", {}),
                                 variant.pod_labels), variant.where,
                         "the PodDisruptionBudget does not select the pods")
            report.check(pdb["spec"].get("minAvailable") == PDB_MIN_AVAILABLE, variant.where,
                         f"the PodDisruptionBudget needs minAvailable: {PDB_MIN_AVAILABLE}")


@rule("autoscaler")
def autoscaler(tree, report):
    for variant in tree.variants.values():
        hpa = one(variant, "HorizontalPodAutoscaler", report)
        if not hpa or not variant.deployment:
            continue
        target, where = hpa["spec"]["scaleTargetRef"], variant.where
        report.check(hpa["apiVersion"] == "autoscaling/v2", where, "the HPA must be autoscaling/v2")
        report.check(target["kind"] == "Deployment"
                     and target["name"] == variant.deployment["metadata"]["name"], where,
                     "the HPA does not scale the Deployment")
        report.check(any(m.get("resource", {}).get("name") == "cpu"
                         for m in hpa["spec"].get("metrics", [])), where,
                     "the HPA must scale on CPU")
        # Otherwise one disruption at the minimum blocks every drain.
        report.check(hpa["spec"].get("minReplicas", 1) > PDB_MIN_AVAILABLE, where,
                     "the HPA's minReplicas must exceed the PDB's minAvailable")


@rule("network-policy")
def network_policy(tree, report):
    # No egress: an intruder cannot send the tokens anywhere.
    for variant in tree.variants.values():
        policy = one(variant, "NetworkPolicy", report)
        if not policy:
            continue
        spec, where, ports = policy["spec"], variant.where, variant.ports()
        serving = variant.serving_port
        report.check(selects(spec["podSelector"].get("matchLabels", {}), variant.pod_labels),
                     where, "the NetworkPolicy does not select the pods")
        report.check(set(spec.get("policyTypes", [])) == {"Ingress", "Egress"}, where,
                     "the NetworkPolicy must govern Ingress and Egress")
        report.check(spec.get("egress", []) == [], where,
                     "the server needs no egress: the NetworkPolicy must allow none")
        allowed = {}
        for ingress in spec.get("ingress", []):
            report.check(ingress.get("from"), where,
                         "an ingress rule without `from` admits every pod")
            for source in ingress.get("from", []):
                report.check("ipBlock" not in source, where, "ingress from an ipBlock")
            for port in ingress.get("ports", []):
                allowed[ports.get(port["port"])] = ingress
        report.check(set(allowed) == {serving, METRICS_PORT}, where,
                     f"ingress must open exactly the gRPC port {serving} and "
                     f"{METRICS_PORT}, not {sorted(map(str, allowed))}")
        report.check(all(s.get("namespaceSelector", {}).get("matchLabels", {})
                         .get("kubernetes.io/metadata.name") == "monitoring"
                         for s in allowed.get(METRICS_PORT, {}).get("from", [{}])), where,
                     "the metrics port must be open to the monitoring namespace only")
        report.check(all(s.get("namespaceSelector", {}).get("matchLabels")
                         and s.get("podSelector", {}).get("matchLabels")
                         for s in allowed.get(serving, {}).get("from", [{}])), where,
                     "the gRPC port must be open to labelled pods in labelled namespaces only")
