"""The token library in-process: bench/token_benchmark.cc (Google
Benchmark), a flat profile of signing, and the peers minting the same
token (twilio-node, PyJWT) between two runs of ours."""

import json
import os
import shutil
import subprocess
import tempfile

import profile_summary  # bench/profile_summary.py
from measure.environment import REPO, log, run

SIGN = "BM_SignCapability/1"


def google_benchmark(binary, p, name_filter=None):
    """Runs a Google Benchmark binary; returns ({name: items_per_second}
    using the median of the repetitions, the JSON context). Repetitions of
    different benchmarks are interleaved at random, so that a change in the
    machine's load falls on a benchmark and its baseline alike."""
    cmd = [binary, "--benchmark_format=json",
           "--benchmark_repetitions=%d" % p["library"]["repetitions"],
           "--benchmark_min_time=%g" % p["library"]["min_time_s"],
           "--benchmark_enable_random_interleaving=true",
           "--benchmark_report_aggregates_only=true"]
    if name_filter:
        cmd.append("--benchmark_filter=" + name_filter)
    out = json.loads(run(cmd))
    rates = {}
    for b in out["benchmarks"]:
        if b.get("aggregate_name") == "median":
            rates[b["run_name"]] = b["items_per_second"]
    return rates, out["context"]


def profile_library(binary, p):
    """A flat perf profile of signing the typical node-profile token;
    returns bench/profile_summary.py's split, or None without perf."""
    if shutil.which("perf") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "perf.data")
        try:
            subprocess.run(
                ["perf", "record", "-F",
                 str(p["signing_profile"]["frequency_hz"]), "-o", data, "--",
                 binary, "--benchmark_filter=^%s$" % SIGN,
                 "--benchmark_min_time=%g" %
                 p["signing_profile"]["min_time_s"]],
                check=True, capture_output=True)
        except (OSError, subprocess.CalledProcessError) as e:
            log("perf failed: %s" % e)
            return None
        # A missing symbol (profile_summary.MissingSymbol) stops the run.
        return profile_summary.summarize_flat(data, binary=binary)


def run_peers(binary, p):
    """Times the peers between two runs of our node-profile signing
    benchmark; returns the peers' results and our rates around them."""
    def ours():
        return google_benchmark(binary, p, "^%s$" % SIGN)[0][SIGN]

    around = [ours()]
    peers = {}
    seconds = "--seconds=%g" % p["peers"]["seconds"]
    rounds = "--rounds=%d" % p["peers"]["rounds"]
    node_dir = os.path.join(REPO, "bench/peers/node")
    try:
        if not os.path.isdir(os.path.join(node_dir, "node_modules/twilio")):
            log("npm ci in bench/peers/node")
            subprocess.run(["npm", "ci", "--no-audit", "--no-fund",
                            "--loglevel=error"], cwd=node_dir, check=True,
                           capture_output=True)
        peers["node"] = json.loads(run(["node", "bench.js", seconds, rounds],
                                       cwd=node_dir))
    except (OSError, subprocess.CalledProcessError) as e:
        peers["node"] = {"error": str(e)}
    try:
        peers["pyjwt"] = json.loads(run(
            ["/usr/bin/python3", "bench/peers/python/bench_pyjwt.py",
             seconds, rounds]))
    except (OSError, subprocess.CalledProcessError) as e:
        peers["pyjwt"] = {"error": str(e)}
    around.append(ours())
    return peers, around
