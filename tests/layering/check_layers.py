#!/usr/bin/python3
"""Proves that Bazel enforces service/layers.bzl: every forbidden dependency
between two layers fails the build, and every allowed one builds.

For each ordered pair of layers (user, used) it writes a throwaway package
service/<user>/layering_probe/ holding one cc_library that depends on a
library of <used>, asks Bazel to analyse all of them at once
(`bazel build --nobuild --keep_going`), and compares the visibility errors
Bazel reports with the table. A pair the table forbids must be refused for
visibility; a pair it allows must not be. The probes are removed afterwards,
whatever happens.

Usage: tests/layering/check_layers.py [extra bazel flags...]
Run from anywhere; `./dev test` runs it (tests/run_all.sh).
"""

import os
import re
import shutil
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROBE = "layering_probe"


def read_table():
    """LAYER_DEPENDENCIES from service/layers.bzl (plain Starlark data)."""
    scope = {}
    with open(os.path.join(REPO, "service", "layers.bzl")) as f:
        exec(compile(f.read(), "service/layers.bzl", "exec"), scope)
    return scope["LAYER_DEPENDENCIES"]


def representative_library(layer):
    """The first cc_library of a layer's BUILD file that the layer table
    governs: not test-only, and not public (the token library's public API,
    //service/token, is meant for everyone, in this repository and outside)."""
    with open(os.path.join(REPO, "service", layer, "BUILD.bazel")) as f:
        build = f.read()
    for block in re.findall(r"\ncc_library\((.*?)\n\)", build, re.S):
        if "testonly" in block or "//visibility:public" in block:
            continue
        return "//service/%s:%s" % (layer, re.search(r'name = "(\w+)"', block).group(1))
    raise SystemExit("service/%s/BUILD.bazel has no cc_library" % layer)


def write_probes(table, used_targets):
    probes = {}
    for user in table:
        rules = []
        for used, target in used_targets.items():
            if used == user:
                continue
            name = "uses_" + used
            rules.append('cc_library(\n    name = "%s",\n    deps = ["%s"],\n)\n' % (name, target))
            probes["//service/%s/%s:%s" % (user, PROBE, name)] = (user, used)
        directory = os.path.join(REPO, "service", user, PROBE)
        os.makedirs(directory)
        with open(os.path.join(directory, "BUILD.bazel"), "w") as f:
            f.write("# Written and removed by tests/layering/check_layers.py.\n\n" + "\n".join(rules))
    return probes


def remove_probes(table):
    for user in table:
        shutil.rmtree(os.path.join(REPO, "service", user, PROBE), ignore_errors=True)


def refused_pairs(probes, bazel_flags):
    """The probes Bazel refused for visibility, and its output."""
    run = subprocess.run(
        ["bazel", "build", "--nobuild", "--keep_going"] + bazel_flags + ["--"] + sorted(probes),
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    refused = set(re.findall(r"is not visible from target '(//service/\w+/%s:\w+)'" % PROBE, run.stdout))
    unknown = refused - set(probes)
    if unknown:
        raise SystemExit("unexpected probe names in Bazel's output: %s" % sorted(unknown))
    return refused, run


def main():
    table = read_table()
    used_targets = {layer: representative_library(layer) for layer in table}
    remove_probes(table)
    try:
        probes = write_probes(table, used_targets)
        refused, run = refused_pairs(probes, sys.argv[1:])
    finally:
        remove_probes(table)
    wrong = []
    for probe, (user, used) in sorted(probes.items()):
        allowed = used in table[user]
        if allowed and probe in refused:
            wrong.append("%s may use %s (service/layers.bzl) but Bazel refused %s" % (user, used, probe))
        if not allowed and probe not in refused:
            wrong.append("%s must not use %s, yet Bazel accepted %s" % (user, used, probe))
    # Every allowed probe was analysed: a run that failed for another reason
    # (a typo, a broken BUILD file) must not pass as "nothing refused".
    if not wrong and run.returncode != 0 and len(refused) != sum(
            1 for user, used in probes.values() if used not in table[user]):
        wrong.append("bazel failed for a reason other than visibility:\n" + run.stdout[-3000:])
    if wrong:
        print("\n".join(wrong), file=sys.stderr)
        return 1
    forbidden = len(refused)
    print("layering: %d pairs of layers, %d allowed and built, %d forbidden and refused by Bazel"
          % (len(probes), len(probes) - forbidden, forbidden))
    return 0


if __name__ == "__main__":
    sys.exit(main())
