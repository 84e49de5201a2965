#!/usr/bin/python3
"""Runs the benchmark suite and writes docs/performance.md and its plots.

    bench/run.py            build, run everything (about 20 minutes), write
                            docs/performance.json, docs/performance.md and
                            docs/performance-*.png
    bench/run.py --quick    shorter runs (about 3 minutes), for a smoke test;
                            the report says it was a quick run
    bench/run.py --only=scale [--quick]
                            measure only the scale in accounts (about 10
                            minutes; --quick about 1), keep it in
                            docs/performance.json beside the other sections'
                            run (it carries its own date, machine and
                            parameters, which the report states), and
                            rewrite the report and plots
    bench/run.py --render docs/performance.json
                            measure nothing: rewrite the report and plots
                            from a run's results (as bench/report.py does)

Three steps, one module each: bench/measure/ runs the benchmarks and
returns the raw results, saved as docs/performance.json; bench/analyse.py
computes ratios and verdicts against bench/targets.py; bench/report.py
writes the report and bench/plots.py its plots, from the results alone.
docs/performance-notes.md (by hand, never written here) explains what is
measured and why, and the tuning history.

Needs Debian's python3-matplotlib, python3-jwt and linux-perf, and npm:
`bazel/setup.sh bench` installs them (this script runs it).
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report  # noqa: E402  bench/report.py
from measure.environment import REPO  # noqa: E402  bench/measure/

DOCS = os.path.join(REPO, "docs")


def failed_calls(results):
    return (results["grpc"]["failed"] + results["memory"]["failed"] +
            (results.get("pinned") or {}).get("failed", 0) +
            results["grpc"].get("batch", {}).get("failed", 0) +
            (results.get("scale") or {}).get("failed", 0))


def main():
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(__doc__.splitlines()[2:]))
    parser.add_argument("--quick", action="store_true",
                        help="short runs for a smoke test (about 3 minutes)")
    parser.add_argument("--output",
                        default=os.path.join(DOCS, "performance.md"),
                        help="the report; the raw results (.json) and the "
                        "plots (.png) go beside it")
    parser.add_argument("--only", choices=["scale"],
                        help="measure only this section and put it into the "
                        "existing results (beside --output, .json)")
    parser.add_argument("--render", metavar="JSON",
                        help="measure nothing: rewrite the report and plots "
                        "from a previous run's raw results")
    args = parser.parse_args()
    if args.render:
        with open(args.render) as f:
            report.render(json.load(f), args.output)
        return 0
    import measure  # bench/measure/
    raw = os.path.splitext(args.output)[0] + ".json"
    if args.only == "scale":
        with open(raw) as f:
            results = json.load(f)  # the other sections, as they were
        results["scale"] = measure.measure_scale(args.quick)
    else:
        results = measure.measure(args.quick)
    with open(raw, "w") as f:
        json.dump(results, f, indent=1)
        f.write("\n")
    with open(raw) as f:
        report.render(json.load(f), args.output)  # what was saved
    failed = failed_calls(results)
    if failed:
        print("run.py: %d gRPC calls failed (see the report)" % failed,
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
