"""Measuring: runs every benchmark and returns the raw results, which
bench/run.py saves as docs/performance.json. Nothing here interprets them
(bench/analyse.py) or writes prose (bench/report.py)."""

import os
import time

from measure.environment import (BIN, bazel_build, ensure_packages, log,
                                 machine)
from measure.library import google_benchmark, profile_library, run_peers
from measure.calls import grpc_suite
from measure.params import params
from measure.scale import scale_suite
from measure.server import memory_suite, pinned_suite, server_startup


def measure(quick):
    """Runs everything; returns the raw results (saved as JSON)."""
    started = time.monotonic()
    p = params(quick)
    results = {"quick": quick, "params": p, "machine": machine()}
    ensure_packages()
    bazel_build(["//bench:token_benchmark", "//bench:loadgen",
                 "//bench:noop_server", "//bench:minter_benchmark",
                 "//service:server"])
    benchmark = os.path.join(BIN, "bench/token_benchmark")
    log("library benchmarks")
    results["rates"], results["context"] = google_benchmark(benchmark, p)
    results["signing_profile"] = profile_library(benchmark, p)
    log("peers")
    results["peers"], results["ours"] = run_peers(benchmark, p)
    log("server start-up")
    results["startup_s"], results["idle_rss"] = server_startup(p)
    results["grpc"] = grpc_suite(p)
    log("one core for the server")
    results["pinned"] = pinned_suite(p)
    results["memory"] = memory_suite(p)
    log("scale in accounts")
    results["scale"] = scale_suite(p)
    results["elapsed_s"] = time.monotonic() - started
    return results


def measure_scale(quick):
    """The scale measurement alone (`run.py --only=scale`): its raw
    results, with the run's own parameters, machine and duration, since
    they are kept beside another run's."""
    started = time.monotonic()
    p = params(quick)
    m = machine()
    bazel_build(["//bench:loadgen", "//bench:minter_benchmark",
                 "//service:server"])
    log("scale in accounts")
    scale = scale_suite(p)
    scale.update({"separate": True, "quick": quick, "machine": m,
                  "params": p["scale"],
                  "elapsed_s": time.monotonic() - started})
    return scale
