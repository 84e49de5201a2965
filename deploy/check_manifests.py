#!/usr/bin/python3
"""Checks captoken's deployment files against the rules docs/deploy.md
promises (deploy/checks/*_rules.py).

    deploy/check_manifests.py             every rule, on deploy/ as it is
    deploy/check_manifests.py --smoke --server=BIN --cli=BIN --pki=SCRIPT
                                          the real server with each
                                          variant's ConfigMap and probes

Run from the repository root (Bazel runs it from the runfiles tree, which
has the same layout): `bazel test //deploy/...`. Each variant is rendered
by `kubectl kustomize` (bazel/setup.sh test installs it); without kubectl
this fails. deploy/manifest_self_test.py shows each rule catches what it
is for.
"""

import argparse
import sys

# Bazel's runfiles and the source tree are no place for __pycache__.
sys.dont_write_bytecode = True

try:
    import yaml  # noqa: F401  (the rules need it; say so before they fail)
except ImportError:
    sys.exit("check_manifests: needs PyYAML: apt-get install python3-yaml")

from checks import kustomize, rules, smoke
from checks.findings import Report
from checks.tree import Tree


def print_result(findings):
    for finding in findings:
        print(f"FAIL: [{finding.rule}] {finding.where}: {finding.message}")
    print(f"{0 if findings else 1} passed, {1 if findings else 0} failed")
    return 1 if findings else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--server")
    parser.add_argument("--cli")
    parser.add_argument("--pki")
    options = parser.parse_args()
    try:
        if options.smoke:
            if not (options.server and options.cli and options.pki):
                parser.error("--smoke needs --server, --cli and --pki")
            report = Report("smoke")
            smoke.run_smoke(report, options.server, options.cli, options.pki)
            return print_result(report.findings)
        tree = Tree(".")
        print(f"rendered with `kubectl kustomize` ({kustomize.find_kubectl()}): "
              + ", ".join(f"{name} ({len(v.resources)} resources)"
                          for name, v in tree.variants.items()))
        print(f"{len(rules.RULES)} rules: {', '.join(rules.RULES)}")
        return print_result(rules.run_rules(tree))
    except kustomize.KubectlMissing as error:
        print(f"FAIL: {error}")
        print("0 passed, 1 failed")
        return 1


if __name__ == "__main__":
    sys.exit(main())
