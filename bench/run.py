#!/usr/bin/python3
"""Runs the benchmark suite and writes docs/performance.md.

    bench/run.py            build, run everything, write the report
    bench/run.py --quick    shorter runs (for a smoke test)

Every figure in the report is a ratio or a rate measured in this one run, next
to its baseline from the same run: absolute times on a shared machine drift,
ratios much less. The machine is described at the top of the report.
"""

import argparse
import datetime
import json
import os
import platform
import re
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(cmd, **kwargs):
    return subprocess.run(cmd, cwd=REPO, check=True, text=True,
                          capture_output=True, **kwargs).stdout


def bazel_build(targets):
    flags = os.environ.get("CAPTOKEN_BAZEL_FLAGS", "").split()
    subprocess.run(["bazel", "build", "--noshow_progress"] +
                   flags + targets, cwd=REPO, check=True)


def machine():
    cpu = "unknown CPU"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    flags = set()
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "sha_ni": "sha_ni" in flags,
        "memory_gib": round(mem_kb / 1024 / 1024),
        "kernel": platform.release(),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime(
            "%Y-%m-%d %H:%M UTC"),
    }


def google_benchmark(binary, quick):
    """Runs a Google Benchmark binary; returns {name: items_per_second} using
    the median of the repetitions."""
    repetitions = "3" if quick else "9"
    min_time = "0.05" if quick else "0.3"
    out = run([binary, "--benchmark_format=json",
               "--benchmark_repetitions=" + repetitions,
               "--benchmark_min_time=" + min_time,
               "--benchmark_report_aggregates_only=true"])
    rates = {}
    for b in json.loads(out)["benchmarks"]:
        if b.get("aggregate_name") == "median":
            rates[b["run_name"]] = b["items_per_second"]
    return rates


def server_startup(quick):
    """Starts the server in development mode on a free port several times;
    returns (median seconds to the 'listening' line, idle RSS in KiB)."""
    binary = os.path.join(REPO, "bazel-bin/service/server")
    times, rss = [], []
    for _ in range(3 if quick else 7):
        start = time.monotonic()
        proc = subprocess.Popen([binary, "--listen=127.0.0.1:0"],
                                stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        for line in proc.stderr:
            if '"event":"listening"' in line:
                break
        times.append(time.monotonic() - start)
        time.sleep(1.0)  # idle
        with open("/proc/%d/status" % proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss.append(int(line.split()[1]))
        proc.terminate()
        proc.wait(timeout=30)
    times.sort()
    rss.sort()
    return times[len(times) // 2], rss[len(rss) // 2]


def fmt_rate(rate):
    if rate >= 1e6:
        return "%.2f M/s" % (rate / 1e6)
    return "%.0f k/s" % (rate / 1e3)


def library_section(rates):
    lines = []
    lines.append("## Token library (in-process, one core)\n")
    lines.append("`bench/token_benchmark.cc`: a typical token (an incoming "
                 "scope and an outgoing scope with two parameters), signed "
                 "and verified, against HMAC-SHA256 of the same signing "
                 "input with the same prepared key: the floor, since no "
                 "token can be cheaper than its MAC.\n")
    lines.append("| profile | raw HMAC-SHA256 | sign | sign / HMAC | "
                 "verify | verify / HMAC | one-shot `HMAC()` |")
    lines.append("|---|---|---|---|---|---|---|")
    verdicts = []
    for arg, profile in (("0", "twilio-python"), ("1", "twilio-node")):
        raw = rates["BM_RawHmacSha256/" + arg]
        sign = rates["BM_SignCapability/" + arg]
        verify = rates["BM_VerifyCapability/" + arg]
        oneshot = rates["BM_OneShotLibraryHmac/" + arg]
        lines.append("| %s | %s | %s | **%.0f%%** | %s | **%.0f%%** | %s |" % (
            profile, fmt_rate(raw), fmt_rate(sign), 100 * sign / raw,
            fmt_rate(verify), 100 * verify / raw, fmt_rate(oneshot)))
        verdicts.append((profile, sign / raw, verify / raw))
    lines.append("")
    lines.append("Targets: signing at least 35% of the raw HMAC rate, "
                 "verifying at least 30%.\n")
    for profile, s, v in verdicts:
        lines.append("- %s: signing %s (%.0f%%), verifying %s (%.0f%%)." % (
            profile, "meets the target" if s >= 0.35 else "MISSES the target",
            100 * s, "meets the target" if v >= 0.30 else "MISSES the target",
            100 * v))
    lines.append("")
    stages = [
        ("split and check the MAC", "BM_VerifyStage1_SplitAndMac"),
        ("decode the payload (base64url)", "BM_VerifyStage2_DecodePayload"),
        ("parse the payload (strict JSON)", "BM_VerifyStage3_ParseJson"),
        ("parse the scope claim", "BM_VerifyStage4_ParseScopes"),
    ]
    verify_ns = 1e9 / rates["BM_VerifyCapability/1"]
    lines.append("Where verifying the node-profile token spends its time, "
                 "each stage measured alone (the rest is reading the claims "
                 "and freeing what the stages allocated):\n")
    lines.append("| stage | ns | share of verify |")
    lines.append("|---|---|---|")
    for label, name in stages:
        ns = 1e9 / rates[name]
        lines.append("| %s | %.0f | %.0f%% |" % (label, ns,
                                                 100 * ns / verify_ns))
    lines.append("| whole verification | %.0f | 100%% |" % verify_ns)
    lines.append("")
    lines.append("The one-shot `HMAC()` column is the crypto library's own "
                 "entry point, which prepares the key on every call; the "
                 "library prepares it once per key (see `crypto.h`).\n")

    lines.append("### Cost per parameter and per scope (node profile)\n")
    lines.append("| parameters in one outgoing scope | rate | µs per token |")
    lines.append("|---|---|---|")
    for n in (1, 2, 4, 8, 16, 32):
        r = rates["BM_SignWithParams/%d" % n]
        lines.append("| %d | %s | %.2f |" % (n, fmt_rate(r), 1e6 / r))
    lines.append("")
    lines.append("| incoming scopes | rate | µs per token |")
    lines.append("|---|---|---|")
    for n in (1, 2, 4, 8, 16):
        r = rates["BM_SignWithScopes/%d" % n]
        lines.append("| %d | %s | %.2f |" % (n, fmt_rate(r), 1e6 / r))
    lines.append("")
    p1 = 1e6 / rates["BM_SignWithParams/1"]
    p32 = 1e6 / rates["BM_SignWithParams/32"]
    s1 = 1e6 / rates["BM_SignWithScopes/1"]
    s16 = 1e6 / rates["BM_SignWithScopes/16"]
    lines.append("Growth is linear: about %.0f ns per added parameter and "
                 "%.0f ns per added scope (each parameter is percent-encoded "
                 "twice and each byte is hashed).\n" % (
                     1000 * (p32 - p1) / 31, 1000 * (s16 - s1) / 15))
    return "\n".join(lines)


def server_section(startup_s, rss_kib):
    return "\n".join([
        "## Server start-up and idle memory\n",
        "The server binary in development mode, started %s times on a free "
        "loopback port (median):\n" % "several",
        "| start to `listening` | idle resident memory |",
        "|---|---|",
        "| %.0f ms | %.1f MiB |" % (startup_s * 1000, rss_kib / 1024),
        "",
    ])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--output",
                        default=os.path.join(REPO, "docs/performance.md"))
    args = parser.parse_args()

    bazel_build(["//bench:token_benchmark", "//service:server"])
    rates = google_benchmark(
        os.path.join(REPO, "bazel-bin/bench/token_benchmark"), args.quick)
    startup_s, rss_kib = server_startup(args.quick)

    m = machine()
    report = "\n".join([
        "# Performance\n",
        "Written by `bench/run.py` (run it to refresh this page). Every "
        "figure is measured in one run, next to its baseline from the same "
        "run, because absolute times on a shared machine drift.\n",
        "Machine: %s, %d cores%s, %d GiB, Linux %s; %s. Built as the "
        "tests build it (GCC 12, -O2), against OpenSSL 3.\n" % (
            m["cpu"], m["cores"], " (SHA extensions)" if m["sha_ni"] else "",
            m["memory_gib"], m["kernel"], m["date"]),
        library_section(rates),
        server_section(startup_s, rss_kib),
    ])
    with open(args.output, "w") as f:
        f.write(report)
    print("wrote", os.path.relpath(args.output, REPO))


if __name__ == "__main__":
    sys.exit(main())
