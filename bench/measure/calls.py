"""Single calls and BatchMint calls over gRPC on loopback: the real server
and the no-op baseline, alternating, under the same load generator."""

import os
import shutil
import subprocess
import tempfile
import threading
import time

import profile_summary  # bench/profile_summary.py
from measure.environment import log
from measure.load import cpu_at_peak, lkey, loadgen, median
from measure.processes import RssSampler, pair_order, start_servers


def channels(p, concurrency):
    return p["channels"][str(concurrency)]


def alternating_peaks(servers, p, g, call, label, key):
    """Closed-loop peaks at each concurrency, the two servers alternating
    (and which goes first alternating too), so that a change in the
    machine's load falls on both. Returns the median of each run's `key`
    per server and concurrency, the runs, the median real/no-op ratio of
    the pairs and its (min, max)."""
    peak = {n: {} for n in servers}
    peak_runs = {n: {} for n in servers}
    ratio, ratio_range = {}, {}
    for c in p["concurrencies"]:
        runs = {n: [] for n in servers}
        ratios = []
        for i in range(g["pairs"]):
            pair = {}
            for name in pair_order(i):
                log("%s: %s, %d in flight, round %d" % (label, name, c,
                                                        i + 1))
                r = call(name, c, duration=g["duration_s"],
                         warmup=g["warmup_s"])
                pair[name] = r[key]
                runs[name].append(r)
            ratios.append(pair["real"] / pair["noop"] if pair["noop"]
                          else float("nan"))
        for name in servers:
            peak[name][c] = median([r[key] for r in runs[name]])
            peak_runs[name][c] = runs[name]
        ratio[c] = median(ratios)
        ratio_range[c] = (min(ratios), max(ratios))
    return peak, peak_runs, ratio, ratio_range


def grpc_suite(p):
    """Peak throughput and latency of both servers, alternating; then the
    BatchMint suite on the same two servers."""
    g = p["grpc"]
    servers = start_servers()
    result = {"rss_before": {n: s.rss() for n, s in servers.items()},
              "failed": 0, "calls": 0}
    samplers = {n: RssSampler(s.pid) for n, s in servers.items()}

    def call(name, c, **kwargs):
        r = loadgen(servers[name], c, channels(p, c), **kwargs)
        result["failed"] += r["failed"]
        result["calls"] += r["calls"]
        return r

    # Peak: closed loop, each concurrency, the two servers alternating (and
    # which goes first alternating too).
    peak, peak_runs, peak_ratio, peak_ratio_range = alternating_peaks(
        servers, p, g, call, "peak", "throughput")
    result["peak"] = peak
    result["peak_ratio"] = peak_ratio
    result["peak_ratio_range"] = peak_ratio_range
    result["peak_cpu"] = cpu_at_peak(peak_runs, peak)

    # CPU per call, both servers under the same load: open loop at half
    # the no-op server's peak (CPU per call depends on the load, through
    # how many calls share a system call).
    c = g["cpu_concurrency"]
    same_rate = 0.5 * peak["noop"][c]
    cpu_us = {n: [] for n in servers}
    client_cpu_us = {n: [] for n in servers}
    for i in range(g["pairs"]):
        for name in pair_order(i):
            log("CPU per call: %s at %.0f/s" % (name, same_rate))
            r = call(name, c, rate=same_rate, duration=g["duration_s"],
                     warmup=g["warmup_s"])
            cpu_us[name].append(r["server_cpu_us"])
            client_cpu_us[name].append(r["client_cpu_us"])
    result["cpu_rate"] = same_rate
    result["cpu_us_per_call"] = {n: median(v) for n, v in cpu_us.items()}
    result["client_cpu_us_per_call"] = {n: median(v)
                                        for n, v in client_cpu_us.items()}

    result["latency"] = latency_runs(p, g, servers, call)
    result["rss_during"] = {n: s.stop() for n, s in samplers.items()}
    time.sleep(1.0)
    result["rss_after"] = {n: s.rss() for n, s in servers.items()}

    # A profile of the real server under a closed loop.
    result["profile"], _ = profile_server(servers["real"], p)

    time.sleep(0.5)  # let the log writer catch up
    result["audit_lines"] = servers["real"].audit_lines
    result["batch"] = batch_suite(servers, p)
    for s in servers.values():
        s.stop()
    # Stopping flushed the real server's log: every line of the batch phase
    # has been read.
    result["batch"]["audit_lines"] = (servers["real"].audit_lines -
                                      result["batch"].pop(
                                          "audit_lines_before"))
    return result


def latency_runs(p, g, servers, call, batch=False):
    """Open loop at each load of each server's peak at that concurrency,
    measured again (closed loop) just before each run: the machine's
    capacity drifts within a minute, and a rate set from a peak measured in
    a quieter moment would measure a backlog."""
    latency = {n: {} for n in servers}
    for c in p["concurrencies"]:
        for load in p["loads"]:
            runs = {n: [] for n in servers}
            rates = {n: [] for n in servers}
            for i in range(g["latency_runs"]):
                for name in pair_order(i):
                    probe = call(name, c, duration=g["probe_s"],
                                 warmup=g["probe_warmup_s"])["throughput"]
                    rate = load * probe
                    log("latency%s: %s, %d in flight, %.0f%% of peak "
                        "(%.0f calls/s)" % (" (batch)" if batch else "",
                                            name, c, 100 * load, rate))
                    rates[name].append(rate)
                    runs[name].append(call(
                        name, c, rate=rate, duration=g["latency_duration_s"],
                        warmup=g["warmup_s"]))
            for name in servers:
                rs = runs[name]
                case = {
                    "rate": median(rates[name]),
                    "throughput": median([r["throughput"] for r in rs]),
                    "p50": median([r["latency_us"]["p50"] for r in rs]),
                    "p99": median([r["latency_us"]["p99"] for r in rs]),
                    "p999": median([r["latency_us"]["p999"] for r in rs]),
                    "waited": sum(r["waited_for_slot"] for r in rs),
                }
                if batch:
                    case["tokens_throughput"] = median(
                        [r["tokens_throughput"] for r in rs])
                latency[name][lkey(c, load)] = case
    return latency


def batch_suite(servers, p):
    """BatchMint on the same two servers, after the single calls: peak
    tokens/s, CPU per token, latency per call, the servers' memory over
    this phase and a profile of the real server."""
    g = p["batch"]
    size = p["batch_size"]
    result = {"batch_size": size, "failed": 0, "calls": 0,
              "items_failed": 0, "tokens": 0, "real_lines_due": 0}
    audit_before = servers["real"].audit_lines
    result["rss_before"] = {n: s.rss() for n, s in servers.items()}
    samplers = {n: RssSampler(s.pid) for n, s in servers.items()}

    def count(name, r):
        result["failed"] += r["failed"]
        result["calls"] += r["calls"]
        result["items_failed"] += r["items_failed"]
        result["tokens"] += r["tokens"]
        if name == "real":
            # The real server audits each item and each call.
            result["real_lines_due"] += r["calls"] * (size + 1)
        return r

    def call(name, c, **kwargs):
        return count(name, loadgen(servers[name], c, channels(p, c),
                                   batch=size, **kwargs))

    # Peak tokens/s: closed loop, the servers alternating as above.
    peak, peak_runs, ratio, ratio_range = alternating_peaks(
        servers, p, g, call, "batch peak", "tokens_throughput")
    peak_calls = {n: {c: median([r["throughput"] for r in runs])
                      for c, runs in peak_runs[n].items()}
                  for n in servers}
    result["peak"] = peak
    result["peak_calls"] = peak_calls
    result["peak_ratio"] = ratio
    result["peak_ratio_range"] = ratio_range
    result["peak_cpu"] = cpu_at_peak(peak_runs, peak, per=size)

    # CPU per token, both servers at the same load: half the no-op
    # server's peak.
    c = g["cpu_concurrency"]
    same_rate = 0.5 * peak_calls["noop"][c]
    cpu_us = {n: [] for n in servers}
    client_cpu_us = {n: [] for n in servers}
    for i in range(g["pairs"]):
        for name in pair_order(i):
            log("batch CPU per token: %s at %.0f calls/s" % (name, same_rate))
            r = call(name, c, rate=same_rate, duration=g["duration_s"],
                     warmup=g["warmup_s"])
            cpu_us[name].append(r["server_cpu_us"] / size)
            client_cpu_us[name].append(r["client_cpu_us"] / size)
    result["cpu_rate"] = same_rate
    result["cpu_us_per_token"] = {n: median(v) for n, v in cpu_us.items()}
    result["client_cpu_us_per_token"] = {n: median(v) for n, v in
                                         client_cpu_us.items()}

    result["latency"] = latency_runs(p, g, servers, call, batch=True)
    result["rss_during"] = {n: s.stop() for n, s in samplers.items()}
    time.sleep(1.0)
    result["rss_after"] = {n: s.rss() for n, s in servers.items()}

    result["profile"], r = profile_server(servers["real"], p, batch=size)
    if r:
        count("real", r)
    result["audit_lines_before"] = audit_before
    return result


def profile_server(server, p, batch=0):
    """perf record with call graphs on `server` under a closed loop
    (BatchMint calls of `batch` requests if set); returns
    bench/profile_summary.py's summary, or None if perf is not usable
    here, and the load generator's result. A function the summary looks
    for that the server lacks stops the run (MissingSymbol)."""
    if shutil.which("perf") is None:
        return None, None
    prof = p["profile"]
    seconds = prof["seconds"]
    c = prof["concurrency"]
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "perf.data")
        out = []
        gen = threading.Thread(target=lambda: out.append(loadgen(
            server, c, channels(p, c), duration=seconds + 1.0, warmup=0.5,
            batch=batch)))
        gen.start()
        time.sleep(0.7)
        log("profiling the server for %g s" % seconds)
        try:
            subprocess.run(["perf", "record", "-F",
                            str(prof["frequency_hz"]), "--call-graph",
                            "dwarf,16384", "-p", str(server.pid), "-o", data,
                            "--", "sleep", str(seconds)], check=True,
                           capture_output=True)
            recorded = True
        except (OSError, subprocess.CalledProcessError) as e:
            log("perf failed: %s" % e)
            recorded = False
        gen.join()
        summary = None
        if recorded:
            summary = profile_summary.summarize(
                data, profile_summary.BATCH_PARTS if batch else
                profile_summary.PARTS, binary=server.binary)
    return summary, out[0] if out else None
