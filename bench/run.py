#!/usr/bin/python3
"""Runs the benchmark suite and writes docs/performance.md and its plots.

    bench/run.py            build, run everything (about 13 minutes), write
                            docs/performance.md and docs/performance-*.png
    bench/run.py --quick    shorter runs (about 2 minutes), for a smoke test;
                            the report says it was a quick run

Every figure in the report is a ratio or a rate measured in this one run,
next to its baseline from the same run: absolute times on a shared machine
drift, ratios much less. Runs that compare two things alternate them. The
machine is described at the top of the report.

What it runs:
  1. bench/token_benchmark.cc (Google Benchmark): signing and verifying each
     token kind against the raw HMAC-SHA256 of the same signing input, and
     how the cost grows with parameters and scopes.
  2. The peers, for the same token: twilio-node's ClientCapability.toJwt()
     (bench/peers/node, npm `twilio` pinned) and PyJWT (Debian's
     python3-jwt, bench/peers/python), between two runs of our signing
     benchmark.
  3. Over gRPC on loopback: bench/loadgen.cc against the real server
     (//service:server, development mode) and the no-op server
     (bench/noop_server.cc): peak throughput (closed loop) and latency at 50%
     and 90% of peak (open loop) for 1, 16 and 256 calls in flight, the
     server's CPU per call and resident memory, a perf profile of the real
     server, and its memory after 10,000 and 1,000,000 requests.
  4. BatchMint over gRPC, the same two servers: batches of 100 capability
     requests, peak throughput in tokens per second against the target
     (500,000 tokens/s), latency per call at 50% and 90% of peak for 1, 16
     and 256 calls in flight, CPU per token, resident memory, and a perf
     profile of the real server's batch path.

Needs Debian's python3-matplotlib, python3-jwt and linux-perf, and npm:
`bazel/setup.sh bench` installs them (this script runs it).
"""

import argparse
import datetime
import fcntl
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(REPO, "bazel-bin")
DOCS = os.path.join(REPO, "docs")
sys.path.insert(0, os.path.join(REPO, "bench"))

CONCURRENCIES = (1, 16, 256)
# The server log pipe's size, and its reader's buffer (Linux's default
# /proc/sys/fs/pipe-max-size).
PIPE_BYTES = 1 << 20
LOADS = (0.5, 0.9)
BATCH_SIZE = 100
BATCH_TARGET = 500000  # tokens per second over BatchMint, 100-token batches


def log(*args):
    print("run.py:", *args, file=sys.stderr, flush=True)


def run(cmd, cwd=REPO):
    return subprocess.run(cmd, cwd=cwd, check=True, text=True,
                          capture_output=True).stdout


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
        "load": os.getloadavg()[0],
        "date": datetime.datetime.now(datetime.timezone.utc).strftime(
            "%Y-%m-%d %H:%M UTC"),
    }


def median(values):
    return statistics.median(values) if values else float("nan")


# ---- in-process benchmarks ------------------------------------------------


def google_benchmark(binary, quick, name_filter=None):
    """Runs a Google Benchmark binary; returns ({name: items_per_second}
    using the median of the repetitions, the JSON context). Repetitions of
    different benchmarks are interleaved at random, so that a change in the
    machine's load falls on a benchmark and its baseline alike."""
    repetitions = "3" if quick else "15"
    min_time = "0.05" if quick else "0.2"
    cmd = [binary, "--benchmark_format=json",
           "--benchmark_repetitions=" + repetitions,
           "--benchmark_min_time=" + min_time,
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


def profile_library(quick, benchmark_binary):
    """A flat perf profile of signing the typical node-profile token;
    returns bench/profile_summary.py's split, or None without perf."""
    if shutil.which("perf") is None:
        return None
    import profile_summary  # bench/profile_summary.py
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "perf.data")
        try:
            subprocess.run(
                ["perf", "record", "-F", "1999", "-o", data, "--",
                 benchmark_binary, "--benchmark_filter=^BM_SignCapability/1$",
                 "--benchmark_min_time=" + ("0.5" if quick else "2")],
                check=True, capture_output=True)
            return profile_summary.summarize_flat(data)
        except (OSError, subprocess.CalledProcessError) as e:
            log("perf failed: %s" % e)
            return None


def run_peers(quick, benchmark_binary):
    """Times the peers between two runs of our node-profile signing
    benchmark; returns the peers' results and our mean rate around them."""
    ours = []
    sign = "^BM_SignCapability/1$"
    ours.append(google_benchmark(benchmark_binary, quick, sign)[0][
        "BM_SignCapability/1"])
    peers = {}
    seconds, rounds = ("0.5", "3") if quick else ("2", "5")

    node_dir = os.path.join(REPO, "bench/peers/node")
    try:
        if not os.path.isdir(os.path.join(node_dir, "node_modules/twilio")):
            log("npm ci in bench/peers/node")
            subprocess.run(["npm", "ci", "--no-audit", "--no-fund",
                            "--loglevel=error"], cwd=node_dir, check=True,
                           capture_output=True)
        peers["node"] = json.loads(run(
            ["node", "bench.js", "--seconds=" + seconds, "--rounds=" + rounds],
            cwd=node_dir))
    except (OSError, subprocess.CalledProcessError) as e:
        peers["node"] = {"error": str(e)}
    try:
        peers["pyjwt"] = json.loads(run(
            ["/usr/bin/python3", "bench/peers/python/bench_pyjwt.py",
             "--seconds=" + seconds, "--rounds=" + rounds]))
    except (OSError, subprocess.CalledProcessError) as e:
        peers["pyjwt"] = {"error": str(e)}

    ours.append(google_benchmark(benchmark_binary, quick, sign)[0][
        "BM_SignCapability/1"])
    return peers, ours


def server_startup(quick):
    """Starts the server in development mode on a free port several times;
    returns (median seconds to the 'listening' line, idle RSS in KiB)."""
    binary = os.path.join(BIN, "service/server")
    times, rss = [], []
    for _ in range(3 if quick else 7):
        start = time.monotonic()
        proc = subprocess.Popen([binary, "--listen=127.0.0.1:0"],
                                stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        for line in proc.stderr:
            if '"event":"listening"' in line:
                break
        else:
            raise RuntimeError("the server exited before listening")
        times.append(time.monotonic() - start)
        time.sleep(1.0)  # idle
        rss.append(rss_kib(proc.pid))
        proc.terminate()
        proc.wait(timeout=30)
    times.sort()
    rss.sort()
    return times[len(times) // 2], rss[len(rss) // 2]


# ---- servers and the load generator ----------------------------------------


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # utime and stime are fields 14 and 15 (1-based) of the whole line.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def count_marker(fd, marker, add, buffer_bytes=PIPE_BYTES):
    """Reads `fd` to its end, calling `add` with the number of times
    `marker` appears in what each read brought (a marker split between two
    reads counts once, in the second). Reads into one buffer and counts in
    place: under BatchMint the server logs ~100 MB/s, and a reader that
    copied every chunk (and counted its lines too) took a seventh of the
    machine's CPU away from the server it measures."""
    if buffer_bytes <= len(marker):
        raise ValueError("the buffer must be longer than the marker")
    buffer = bytearray(buffer_bytes)
    view = memoryview(buffer)
    kept = 0  # the previous read's last bytes, which may begin a marker
    while True:
        n = os.readv(fd, [view[kept:]])
        if not n:
            return
        end = kept + n
        add(buffer.count(marker, 0, end))
        # Fewer bytes than the marker, so none is counted twice.
        kept = min(len(marker) - 1, end)
        buffer[:kept] = buffer[end - kept:end]


def on_cpus(cpus):
    """The argv prefix that runs a command on `cpus` only (taskset execs it,
    so the pid stays the command's); [] for anywhere."""
    if not cpus:
        return []
    return ["taskset", "--cpu-list", ",".join(str(c) for c in sorted(cpus))]


class PinnedHere:
    """While active, every thread of this script (and each thread it
    starts, which inherits its creator's) runs on `cpus` only."""

    def __init__(self, cpus):
        self.cpus = cpus
        self.saved = None

    @staticmethod
    def _pin(cpus):
        for task in os.listdir("/proc/self/task"):
            try:
                os.sched_setaffinity(int(task), cpus)
            except OSError:
                pass  # a thread that ended meanwhile

    def __enter__(self):
        self.saved = os.sched_getaffinity(0)
        self._pin(self.cpus)
        return self

    def __exit__(self, *exc):
        self._pin(self.saved)
        return False


class Server:
    """A server process on a free loopback port. Its standard error (the
    log, one audit line per call for the real server) is read and counted
    by a thread, as a log collector would."""

    def __init__(self, name, argv, cpus=None):
        self.name = name
        self.proc = subprocess.Popen(on_cpus(cpus) + argv, cwd=REPO,
                                     stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        try:  # a larger pipe: fewer wake-ups of the reader and the writer
            fcntl.fcntl(self.proc.stderr.fileno(), fcntl.F_SETPIPE_SZ,
                        PIPE_BYTES)
        except OSError:
            pass  # over /proc/sys/fs/pipe-max-size: keep the default
        self.port = None
        buffered = b""
        while self.port is None:
            chunk = os.read(self.proc.stderr.fileno(), 65536)
            if not chunk:
                raise RuntimeError("%s exited before listening" % name)
            buffered += chunk
            m = re.search(rb'"event":"listening"[^\n]*"port":(\d+)',
                          buffered)
            if m:
                self.port = int(m.group(1))
        self.audit_lines = 0
        self._drain = threading.Thread(target=self._drain_log, daemon=True)
        self._drain.start()
        self.pid = self.proc.pid

    def _drain_log(self):
        def add(n):
            self.audit_lines += n
        count_marker(self.proc.stderr.fileno(), b'"event":"audit"', add)

    def rss(self):
        return rss_kib(self.pid)

    def cpu(self):
        return cpu_seconds(self.pid)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._drain.join(timeout=5)
        self.proc.stderr.close()


class RssSampler:
    """Samples a process's resident memory every 100 ms while running."""

    def __init__(self, pid):
        self.pid = pid
        self.samples = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self):
        while not self._stop.wait(0.1):
            try:
                self.samples.append(rss_kib(self.pid))
            except OSError:
                return

    def stop(self):
        self._stop.set()
        self._thread.join()
        return max(self.samples) if self.samples else 0


def lkey(concurrency, load):
    """The key of a latency case: "16@50%"."""
    return "%d@%.0f%%" % (concurrency, 100 * load)


def channels_for(concurrency):
    return 1 if concurrency == 1 else (4 if concurrency <= 16 else 8)


def pair_order(round_index):
    """Which server goes first in a round: they alternate, so neither
    always runs in the machine's quieter or busier moment."""
    return ["noop", "real"] if round_index % 2 == 0 else ["real", "noop"]


def start_servers(cpus=None):
    """The no-op baseline and the real server, each on a free port (on
    `cpus` only, if given)."""
    servers = {
        "noop": Server("noop", [os.path.join(BIN, "bench/noop_server"),
                                "--listen=127.0.0.1:0"], cpus),
        "real": Server("real", [os.path.join(BIN, "service/server"),
                                "--listen=127.0.0.1:0"], cpus),
    }
    time.sleep(1.0)
    return servers


def loadgen(server, concurrency, rate=0.0, duration=2.0, warmup=0.5,
            requests=0, batch=0, cpus=None):
    """Runs the load generator against `server`; returns its JSON, plus the
    server's CPU seconds per call over the run (`server_cpu_us`). With
    `batch`, it calls BatchMint with batches of that many requests (`rate`
    and `requests` count calls, not tokens); with `cpus`, only on those."""
    argv = on_cpus(cpus) + [os.path.join(BIN, "bench/loadgen"),
            "--target=127.0.0.1:%d" % server.port,
            "--concurrency=%d" % concurrency,
            "--channels=%d" % channels_for(concurrency),
            "--allow_errors"]
    if batch:
        argv += ["--method=BatchMint", "--batch_size=%d" % batch]
    if requests:
        argv += ["--requests=%d" % requests]
    else:
        argv += ["--rate=%f" % rate, "--duration=%fs" % duration,
                 "--warmup=%fs" % warmup]
    cpu_before, ours_before = server.cpu(), os.times()
    started = time.monotonic()
    out = subprocess.run(argv, check=True, capture_output=True, text=True)
    cpu_after, ours_after = server.cpu(), os.times()
    result = json.loads(out.stdout)
    result["wall_s"] = time.monotonic() - started
    result["server_cpu_s"] = cpu_after - cpu_before
    calls = max(1, result["calls"])
    result["server_cpu_us"] = 1e6 * (cpu_after - cpu_before) / calls
    # This script's own CPU meanwhile: its threads read the server's log
    # (and sample memory) on the same cores.
    result["reader_cpu_us"] = 1e6 * (
        ours_after.user - ours_before.user +
        ours_after.system - ours_before.system) / calls
    if result["failed"]:
        log("%s: %d calls failed (%d batch items): %s" % (
            server.name, result["failed"], result.get("items_failed", 0),
            out.stderr.strip()))
    return result


def grpc_suite(quick):
    """Peak throughput and latency of both servers, alternating."""
    servers = start_servers()
    result = {"rss_before": {n: s.rss() for n, s in servers.items()},
              "failed": 0, "calls": 0}
    samplers = {n: RssSampler(s.pid) for n, s in servers.items()}
    pairs, duration, warmup = (1, 1.0, 0.3) if quick else (7, 1.5, 0.5)

    def count(r):
        result["failed"] += r["failed"]
        result["calls"] += r["calls"]
        return r

    # Peak: closed loop, each concurrency, the two servers alternating (and
    # which goes first alternating too).
    peak = {n: {} for n in servers}
    peak_ratio = {}
    peak_ratio_range = {}
    peak_runs = {n: {} for n in servers}
    cpu_us = {n: [] for n in servers}
    client_cpu_us = {n: [] for n in servers}
    for c in CONCURRENCIES:
        runs = {n: [] for n in servers}
        ratios = []
        for i in range(pairs):
            pair = {}
            for name in pair_order(i):
                log("peak: %s, %d in flight, round %d" % (name, c, i + 1))
                r = count(loadgen(servers[name], c, duration=duration,
                                  warmup=warmup))
                pair[name] = r["throughput"]
                runs[name].append(r)
            ratios.append(pair["real"] / pair["noop"])
        for name in servers:
            peak[name][c] = median([r["throughput"] for r in runs[name]])
            peak_runs[name][c] = runs[name]
        peak_ratio[c] = median(ratios)
        peak_ratio_range[c] = (min(ratios), max(ratios))
    result["peak"] = peak
    result["peak_ratio"] = peak_ratio
    result["peak_ratio_range"] = peak_ratio_range
    result["peak_cpu"] = cpu_at_peak(peak_runs, peak)

    # CPU per call, both servers under the same load: 16 in flight, open
    # loop at half the no-op server's peak there (CPU per call depends on
    # the load, through how many calls share a system call).
    same_rate = 0.5 * peak["noop"][16]
    for i in range(pairs):
        for name in pair_order(i):
            log("CPU per call: %s at %.0f/s" % (name, same_rate))
            r = count(loadgen(servers[name], 16, rate=same_rate,
                              duration=duration, warmup=warmup))
            cpu_us[name].append(r["server_cpu_us"])
            client_cpu_us[name].append(r["client_cpu_us"])
    result["cpu_rate"] = same_rate
    result["cpu_us_per_call"] = {n: median(v) for n, v in cpu_us.items()}
    result["client_cpu_us_per_call"] = {n: median(v)
                                        for n, v in client_cpu_us.items()}

    # Latency: open loop at 50% and 90% of the server's peak at that
    # concurrency, measured again (closed loop, 1 s) just before each run:
    # the machine's capacity drifts within a minute, and a rate set from a
    # peak measured in a quieter moment would measure a backlog.
    reps, duration = (1, 1.0) if quick else (3, 2.5)
    latency = {n: {} for n in servers}
    for c in CONCURRENCIES:
        for load in LOADS:
            runs = {n: [] for n in servers}
            rates = {n: [] for n in servers}
            for i in range(reps):
                for name in pair_order(i):
                    probe = count(loadgen(servers[name], c, duration=1.0,
                                          warmup=0.3))["throughput"]
                    rate = load * probe
                    log("latency: %s, %d in flight, %.0f%% of peak (%.0f/s)"
                        % (name, c, 100 * load, rate))
                    rates[name].append(rate)
                    runs[name].append(count(loadgen(
                        servers[name], c, rate=rate, duration=duration,
                        warmup=warmup)))
            for name in servers:
                rs = runs[name]
                latency[name][lkey(c, load)] = {
                    "rate": median(rates[name]),
                    "throughput": median([r["throughput"] for r in rs]),
                    "p50": median([r["latency_us"]["p50"] for r in rs]),
                    "p99": median([r["latency_us"]["p99"] for r in rs]),
                    "p999": median([r["latency_us"]["p999"] for r in rs]),
                    "waited": sum(r["waited_for_slot"] for r in rs),
                }
    result["latency"] = latency

    result["rss_during"] = {n: s.stop() for n, s in samplers.items()}
    time.sleep(1.0)
    result["rss_after"] = {n: s.rss() for n, s in servers.items()}

    # A profile of the real server under the peak load at 16 in flight.
    result["profile"], _ = profile_server(servers["real"], quick)

    time.sleep(0.5)  # let the log writer catch up
    result["audit_lines"] = servers["real"].audit_lines
    result["batch"] = batch_suite(servers, quick)
    for s in servers.values():
        s.stop()
    # Stopping flushed the real server's log: every line of the batch phase
    # has been read.
    result["batch"]["audit_lines"] = (servers["real"].audit_lines -
                                      result["batch"].pop(
                                          "audit_lines_before"))
    return result


def batch_suite(servers, quick):
    """BatchMint with BATCH_SIZE-token batches on the same two servers, after
    the single calls: peak tokens/s, CPU per token, latency per call, the
    servers' memory over this phase and a profile of the real server."""
    result = {"batch_size": BATCH_SIZE, "failed": 0, "calls": 0,
              "items_failed": 0, "tokens": 0, "real_lines_due": 0}
    audit_before = servers["real"].audit_lines
    result["rss_before"] = {n: s.rss() for n, s in servers.items()}
    samplers = {n: RssSampler(s.pid) for n, s in servers.items()}
    pairs, duration, warmup = (1, 1.0, 0.3) if quick else (5, 1.5, 0.5)

    def count(name, r):
        result["failed"] += r["failed"]
        result["calls"] += r["calls"]
        result["items_failed"] += r["items_failed"]
        result["tokens"] += r["tokens"]
        if name == "real":
            # The real server audits each item and each call.
            result["real_lines_due"] += r["calls"] * (BATCH_SIZE + 1)
        return r

    def batch(name, concurrency, **kwargs):
        return count(name, loadgen(servers[name], concurrency,
                                   batch=BATCH_SIZE, **kwargs))

    # Peak tokens/s: closed loop, the servers alternating as above.
    peak = {n: {} for n in servers}
    peak_calls = {n: {} for n in servers}
    ratio, ratio_range = {}, {}
    peak_runs = {n: {} for n in servers}
    for c in CONCURRENCIES:
        runs = {n: [] for n in servers}
        ratios = []
        for i in range(pairs):
            pair = {}
            for name in pair_order(i):
                log("batch peak: %s, %d in flight, round %d" % (name, c,
                                                                 i + 1))
                r = batch(name, c, duration=duration, warmup=warmup)
                pair[name] = r["tokens_throughput"]
                runs[name].append(r)
            ratios.append(pair["real"] / pair["noop"] if pair["noop"]
                          else float("nan"))
        for name in servers:
            peak[name][c] = median([r["tokens_throughput"]
                                    for r in runs[name]])
            peak_calls[name][c] = median([r["throughput"]
                                          for r in runs[name]])
            peak_runs[name][c] = runs[name]
        ratio[c] = median(ratios)
        ratio_range[c] = (min(ratios), max(ratios))
    result["peak"] = peak
    result["peak_calls"] = peak_calls
    result["peak_ratio"] = ratio
    result["peak_ratio_range"] = ratio_range
    result["peak_cpu"] = cpu_at_peak(peak_runs, peak, per=BATCH_SIZE)

    # CPU per token, both servers at the same load: 16 in flight, half the
    # no-op server's peak there.
    same_rate = 0.5 * peak_calls["noop"][16]
    cpu_us = {n: [] for n in servers}
    client_cpu_us = {n: [] for n in servers}
    for i in range(pairs):
        for name in pair_order(i):
            log("batch CPU per token: %s at %.0f calls/s" % (name, same_rate))
            r = batch(name, 16, rate=same_rate, duration=duration,
                      warmup=warmup)
            cpu_us[name].append(r["server_cpu_us"] / BATCH_SIZE)
            client_cpu_us[name].append(r["client_cpu_us"] / BATCH_SIZE)
    result["cpu_rate"] = same_rate
    result["cpu_us_per_token"] = {n: median(v) for n, v in cpu_us.items()}
    result["client_cpu_us_per_token"] = {n: median(v) for n, v in
                                         client_cpu_us.items()}

    # Latency per call at 50% and 90% of each server's peak, measured again
    # just before each run (as for single calls).
    reps, duration = (1, 1.0) if quick else (2, 2.0)
    latency = {n: {} for n in servers}
    for c in CONCURRENCIES:
        for load in LOADS:
            runs = {n: [] for n in servers}
            rates = {n: [] for n in servers}
            for i in range(reps):
                for name in pair_order(i):
                    probe = batch(name, c, duration=1.0,
                                  warmup=0.3)["throughput"]
                    rate = load * probe
                    log("batch latency: %s, %d in flight, %.0f%% of peak "
                        "(%.0f calls/s)" % (name, c, 100 * load, rate))
                    rates[name].append(rate)
                    runs[name].append(batch(name, c, rate=rate,
                                            duration=duration,
                                            warmup=warmup))
            for name in servers:
                rs = runs[name]
                latency[name][lkey(c, load)] = {
                    "rate": median(rates[name]),
                    "throughput": median([r["throughput"] for r in rs]),
                    "tokens_throughput": median([r["tokens_throughput"]
                                                 for r in rs]),
                    "p50": median([r["latency_us"]["p50"] for r in rs]),
                    "p99": median([r["latency_us"]["p99"] for r in rs]),
                    "p999": median([r["latency_us"]["p999"] for r in rs]),
                    "waited": sum(r["waited_for_slot"] for r in rs),
                }
    result["latency"] = latency

    result["rss_during"] = {n: s.stop() for n, s in samplers.items()}
    time.sleep(1.0)
    result["rss_after"] = {n: s.rss() for n, s in servers.items()}

    result["profile"], r = profile_server(servers["real"], quick,
                                          batch=BATCH_SIZE)
    if r:
        count("real", r)
    result["audit_lines_before"] = audit_before
    return result


def profile_server(server, quick, batch=0):
    """perf record with call graphs on `server` under a closed loop of 16
    calls in flight (BatchMint calls of `batch` requests if set); returns
    bench/profile_summary.py's summary, or None if perf is not usable
    here, and the load generator's result."""
    if shutil.which("perf") is None:
        return None, None
    import profile_summary  # bench/profile_summary.py
    seconds = 1.0 if quick else 3.0
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "perf.data")
        out = []
        gen = threading.Thread(target=lambda: out.append(loadgen(
            server, 16, duration=seconds + 1.0, warmup=0.5, batch=batch)))
        gen.start()
        time.sleep(0.7)
        log("profiling the server for %.0f s" % seconds)
        try:
            subprocess.run(["perf", "record", "-F", "499", "--call-graph",
                            "dwarf,16384", "-p", str(server.pid), "-o", data,
                            "--", "sleep", str(seconds)], check=True,
                           capture_output=True)
            summary = profile_summary.summarize(
                data, profile_summary.BATCH_PARTS if batch else
                profile_summary.PARTS)
        except (OSError, subprocess.CalledProcessError) as e:
            log("perf failed: %s" % e)
            summary = None
        gen.join()
    return summary, out[0] if out else None


def pinned_suite(quick):
    """BatchMint with each server on a core of its own and the load
    generator and this script on the rest: how much one core of server
    does, which the shared runs cannot show (there the load generator takes
    its share of every core). Single calls are left out: at their rates the
    load generator needs more than one core, so they would measure it. None
    with fewer than two cores."""
    cores = sorted(os.sched_getaffinity(0))
    if len(cores) < 2:
        return None
    server_cpus, client_cpus = {cores[0]}, set(cores[1:])
    rounds, duration, warmup = (1, 1.0, 0.3) if quick else (5, 1.5, 0.5)
    concurrency = 16
    result = {"server_cpu": cores[0], "client_cpus": sorted(client_cpus),
              "concurrency": concurrency, "batch_size": BATCH_SIZE,
              "failed": 0}
    runs = {"noop": [], "real": []}
    with PinnedHere(client_cpus):
        servers = start_servers(server_cpus)
        try:
            for i in range(rounds):
                for name in pair_order(i):
                    log("pinned: %s, BatchMint, round %d" % (name, i + 1))
                    r = loadgen(servers[name], concurrency, duration=duration,
                                warmup=warmup, batch=BATCH_SIZE,
                                cpus=client_cpus)
                    result["failed"] += r["failed"]
                    runs[name].append(r)
        finally:
            for server in servers.values():
                server.stop()
    for name, rs in runs.items():
        result[name] = {
            "tokens_per_s": median([r["tokens_throughput"] for r in rs]),
            # The server's CPU seconds per second of the whole run.
            "busy": median([r["server_cpu_s"] / r["wall_s"] for r in rs]),
            # Tokens over the whole run, warm-up included, per second of
            # the server's CPU.
            "per_cpu_second": median([r["tokens"] / r["server_cpu_s"]
                                      for r in rs if r["server_cpu_s"]]),
        }
    return result


def memory_suite(quick):
    """A fresh real server: RSS idle, after the first 10,000 requests, and
    after every further chunk up to 1,000,000 (100,000 with --quick)."""
    server = Server("real", [os.path.join(BIN, "service/server"),
                             "--listen=127.0.0.1:0"])
    time.sleep(1.0)
    total = 100000 if quick else 1000000
    chunks = 3 if quick else 9
    points = [(0, server.rss())]
    failed = 0
    sampler = RssSampler(server.pid)
    done = 0
    plan = [10000] + [(total - 10000) // chunks] * chunks
    plan[-1] += total - sum(plan)
    for n in plan:
        log("memory: %d requests (%d so far)" % (n, done))
        r = loadgen(server, 16, requests=n)
        failed += r["failed"]
        done += r["calls"]
        time.sleep(0.5)
        points.append((done, server.rss()))
    during = sampler.stop()
    time.sleep(0.5)
    audit = server.audit_lines
    server.stop()
    return {"points": points, "rss_max": during, "failed": failed,
            "total": done, "audit_lines": audit}


# ---- plots -----------------------------------------------------------------


def plots(rates, peers, ours_peer_rate, grpc, memory, out_dir):
    """Writes the PNGs into `out_dir`; returns their names."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker
    files = []

    # 1. The library against its floor, per token kind; and the growth.
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.2))
    kinds = ["client_incoming", "client_outgoing", "event_stream", "typical"]
    for p, (profile, arg) in enumerate((("twilio-python", 0),
                                        ("twilio-node", 1))):
        sign, verify = [], []
        for k in range(3):
            raw = rates["BM_RawHmacKind/%d/%d" % (k, arg)]
            sign.append(100 * rates["BM_SignKind/%d/%d" % (k, arg)] / raw)
            verify.append(100 * rates["BM_VerifyKind/%d/%d" % (k, arg)] / raw)
        raw = rates["BM_RawHmacSha256/%d" % arg]
        sign.append(100 * rates["BM_SignCapability/%d" % arg] / raw)
        verify.append(100 * rates["BM_VerifyCapability/%d" % arg] / raw)
        xs = [i * 3 + p for i in range(len(kinds))]
        ax1.bar([x - 0.2 for x in xs], sign, 0.4,
                label="sign, %s" % profile,
                color=("#1f77b4", "#6baed6")[p])
        ax1.bar([x + 0.2 for x in xs], verify, 0.4,
                label="verify, %s" % profile,
                color=("#d62728", "#fc9272")[p])
    ax1.axhline(35, color="#1f77b4", ls="--", lw=1)
    ax1.axhline(30, color="#d62728", ls=":", lw=1)
    ax1.set_xticks([i * 3 + 0.5 for i in range(len(kinds))])
    ax1.set_xticklabels(kinds, fontsize=8)
    ax1.set_ylabel("rate, % of raw HMAC-SHA256 of the same input")
    ax1.set_title("Token library vs its floor (targets: sign 35%, verify 30%)",
                  fontsize=10)
    ax1.set_ylim(0, 60)
    ax1.legend(fontsize=7, ncol=2, loc="upper right")
    params = [1, 2, 4, 8, 16, 32]
    scopes = [1, 2, 4, 8, 16]
    ax2.plot(params, [1e6 / rates["BM_SignWithParams/%d" % n]
                      for n in params], "o-", label="parameters in a scope")
    ax2.plot(scopes, [1e6 / rates["BM_SignWithScopes/%d" % n]
                      for n in scopes], "s-", label="incoming scopes")
    ax2.set_xlabel("count")
    ax2.set_ylabel("µs per token (node profile)")
    ax2.set_title("Signing cost grows linearly")
    ax2.legend()
    fig.tight_layout()
    files.append("performance-library.png")
    fig.savefig(os.path.join(out_dir, files[-1]), dpi=90)
    plt.close(fig)

    # 2. Peers, tokens per CPU second, log scale.
    labels, values = ["captoken (C++)"], [ours_peer_rate]
    if "tokens_per_cpu_second" in peers.get("node", {}):
        labels.append("twilio-node\ntoJwt()")
        values.append(peers["node"]["tokens_per_cpu_second"])
    if "twilio_python" in peers.get("pyjwt", {}):
        labels.append("PyJWT,\ntwilio-python's way")
        values.append(peers["pyjwt"]["twilio_python"]["tokens_per_cpu_second"])
        labels.append("PyJWT\njwt.encode() alone")
        values.append(peers["pyjwt"]["encode_only"]["tokens_per_cpu_second"])
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.bar(labels, values, color=["#2ca02c"] + ["#7f7f7f"] * (len(values) - 1))
    ax.set_yscale("log")
    for i, v in enumerate(values):
        ax.text(i, v * 1.1, "%.0f× slower" % (ours_peer_rate / v) if i else
                "%.2f M/s" % (v / 1e6), ha="center", fontsize=9)
    ax.set_ylabel("tokens per CPU second (log)")
    ax.set_title("The same token, one core each (same run)")
    fig.tight_layout()
    files.append("performance-peers.png")
    fig.savefig(os.path.join(out_dir, files[-1]), dpi=90)
    plt.close(fig)

    # 3. gRPC: peak throughput and latency, real vs no-op.
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.2))
    xs = range(len(CONCURRENCIES))
    ax1.bar([x - 0.2 for x in xs], [grpc["peak"]["noop"][c]
                                    for c in CONCURRENCIES], 0.4,
            label="no-op server", color="#7f7f7f")
    ax1.bar([x + 0.2 for x in xs], [grpc["peak"]["real"][c]
                                    for c in CONCURRENCIES], 0.4,
            label="captoken server", color="#1f77b4")
    for x, c in zip(xs, CONCURRENCIES):
        ax1.text(x + 0.2, grpc["peak"]["real"][c] * 1.02,
                 "%.0f%% paired" % (100 * grpc["peak_ratio"][c]),
                 ha="center", fontsize=8)
    ax1.set_xticks(list(xs))
    ax1.set_xticklabels(["%d in flight" % c for c in CONCURRENCIES])
    ax1.set_ylabel("calls per second (closed loop)")
    ax1.set_title("MintCapabilityToken peak throughput")
    ax1.legend()
    cases = [(c, load) for c in CONCURRENCIES for load in LOADS]
    for s, (name, color) in enumerate((("noop", "#7f7f7f"),
                                       ("real", "#1f77b4"))):
        lat = grpc["latency"][name]
        pos = [i * 3 + s for i in range(len(cases))]
        ax2.bar(pos, [lat[lkey(*k)]["p99"] for k in cases], 0.8, color=color,
                label=("no-op" if name == "noop" else "captoken") + " p99")
        ax2.plot(pos, [lat[lkey(*k)]["p50"] for k in cases], "k_", ms=10)
        ax2.plot(pos, [lat[lkey(*k)]["p999"] for k in cases], "r_", ms=10)
    ax2.axhline(1000, color="k", ls="--", lw=1)
    ax2.set_yscale("log")
    ax2.set_xticks([i * 3 + 0.5 for i in range(len(cases))])
    ax2.set_xticklabels(["%d, %d%%" % (c, 100 * load) for c, load in cases],
                        fontsize=8)
    ax2.set_xlabel("calls in flight, load as % of that server's peak")
    ax2.set_ylabel("latency, µs (log): bar p99, black p50, red p99.9")
    ax2.set_title("Latency (open loop); dashed: 1 ms")
    ax2.legend(fontsize=8)
    fig.tight_layout()
    files.append("performance-grpc.png")
    fig.savefig(os.path.join(out_dir, files[-1]), dpi=90)
    plt.close(fig)

    # 4. BatchMint: peak tokens/s against the target, latency per call.
    batch = grpc.get("batch")
    if batch:
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.2))
        xs = range(len(CONCURRENCIES))
        ax1.bar([x - 0.2 for x in xs], [batch["peak"]["noop"][c] / 1e3
                                        for c in CONCURRENCIES], 0.4,
                label="no-op server", color="#7f7f7f")
        ax1.bar([x + 0.2 for x in xs], [batch["peak"]["real"][c] / 1e3
                                        for c in CONCURRENCIES], 0.4,
                label="captoken server", color="#1f77b4")
        for x, c in zip(xs, CONCURRENCIES):
            ax1.text(x + 0.2, batch["peak"]["real"][c] / 1e3 * 1.02,
                     "%.0f%% paired" % (100 * batch["peak_ratio"][c]),
                     ha="center", fontsize=8)
        ax1.axhline(BATCH_TARGET / 1e3, color="k", ls="--", lw=1)
        ax1.text(len(CONCURRENCIES) - 0.5, BATCH_TARGET / 1e3, "target",
                 ha="right", va="bottom", fontsize=8)
        ax1.set_xticks(list(xs))
        ax1.set_xticklabels(["%d in flight" % c
                             for c in CONCURRENCIES])
        ax1.set_ylabel("thousand tokens per second (closed loop)")
        ax1.set_title("BatchMint peak throughput, %d-token batches" %
                      batch["batch_size"])
        ax1.legend(loc="upper left", fontsize=8)
        cases = [(c, load) for c in CONCURRENCIES for load in LOADS]
        for s, (name, color) in enumerate((("noop", "#7f7f7f"),
                                           ("real", "#1f77b4"))):
            lat = batch["latency"][name]
            pos = [i * 3 + s for i in range(len(cases))]
            ax2.bar(pos, [lat[lkey(*k)]["p99"] for k in cases], 0.8,
                    color=color, label=("no-op" if name == "noop"
                                        else "captoken") + " p99")
            ax2.plot(pos, [lat[lkey(*k)]["p50"] for k in cases], "k_", ms=10)
            ax2.plot(pos, [lat[lkey(*k)]["p999"] for k in cases], "r_",
                     ms=10)
        ax2.set_yscale("log")
        ax2.set_xticks([i * 3 + 0.5 for i in range(len(cases))])
        ax2.set_xticklabels(["%d, %d%%" % (c, 100 * load)
                             for c, load in cases], fontsize=8)
        ax2.set_xlabel("batches in flight, load as % of that server's peak")
        ax2.set_ylabel("latency per call, µs (log): bar p99, black p50, "
                       "red p99.9")
        ax2.set_title("BatchMint latency per call (open loop)")
        ax2.legend(fontsize=8)
        fig.tight_layout()
        files.append("performance-batch.png")
        fig.savefig(os.path.join(out_dir, files[-1]), dpi=90)
        plt.close(fig)

    # 5. Memory against requests served.
    fig, ax = plt.subplots(figsize=(7, 4))
    xs = [n for n, _ in memory["points"]]
    ax.plot(xs, [kib / 1024 for _, kib in memory["points"]], "o-")
    base = dict(memory["points"]).get(10000)
    if base:
        ax.axhline(base * 1.05 / 1024, color="k", ls="--", lw=1)
        ax.text(xs[-1], base * 1.05 / 1024, "after 10k + 5%", ha="right",
                va="bottom", fontsize=8)
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(
        lambda x, _: "{:,.0f}k".format(x / 1000) if x else "0"))
    ax.set_xlabel("requests served")
    ax.set_ylabel("resident memory, MiB (idle, between runs)")
    ax.set_ylim(bottom=0)
    ax.set_title("Server resident memory")
    fig.tight_layout()
    files.append("performance-memory.png")
    fig.savefig(os.path.join(out_dir, files[-1]), dpi=90)
    plt.close(fig)
    return files


# ---- the report ------------------------------------------------------------


def fmt_rate(rate):
    if rate >= 1e6:
        return "%.2f M/s" % (rate / 1e6)
    if rate >= 1e4:
        return "%.0f k/s" % (rate / 1e3)
    return "%.1f k/s" % (rate / 1e3)


def fmt_tokens(rate):
    """A rate of tokens: "238 k tokens/s"."""
    return fmt_rate(rate).replace("/s", " tokens/s")


def fmt_us(us):
    return "%.0f µs" % us if us < 1000 else "%.2f ms" % (us / 1000)


def linear_fit(xs, ys):
    """Least squares y = a + b x; returns (a, b, r^2)."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    b = sxy / sxx
    a = my - b * mx
    ss_res = sum((y - a - b * x) ** 2 for x, y in zip(xs, ys))
    ss_tot = sum((y - my) ** 2 for y in ys)
    return a, b, 1 - ss_res / ss_tot if ss_tot else 1.0


def signing_profile_text(profile):
    if not profile:
        return ""
    lines = ["Where signing the typical node-profile token spends its time "
             "(`perf record` of `BM_SignCapability/1`, flat; share of its "
             "samples):\n",
             "| part | share of signing |", "|---|---|"]
    for label, pct in profile:
        lines.append("| %s | %.0f%% |" % (label, pct))
    lines.append("")
    return "\n".join(lines)


def library_section(rates, signing_profile=None):
    lines = []
    lines.append("## Token library (in-process, one core)\n")
    lines.append("`bench/token_benchmark.cc`: a typical token (an incoming "
                 "scope and an outgoing scope with two parameters), signed "
                 "and verified, against HMAC-SHA256 of the same signing "
                 "input with the same prepared key: the floor, since no "
                 "token can be cheaper than its MAC. The benchmark links "
                 "TCMalloc, as the server does, so the library is measured "
                 "as the service runs it; under glibc's allocator (the "
                 "CLI's) each of their allocations costs more, so these "
                 "ratios would be lower.\n")
    lines.append("![sign and verify against raw HMAC, and growth]"
                 "(performance-library.png)\n")
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
    lines.append("Each scope kind alone (`BM_SignKind`, `BM_VerifyKind`, "
                 "against `BM_RawHmacKind` of each token's own signing "
                 "input):\n")
    lines.append("| token | profile | raw HMAC | sign | sign / HMAC | verify "
                 "| verify / HMAC |")
    lines.append("|---|---|---|---|---|---|---|")
    for k, kind in enumerate(("client_incoming", "client_outgoing",
                              "event_stream")):
        for arg, profile in ((0, "twilio-python"), (1, "twilio-node")):
            raw = rates["BM_RawHmacKind/%d/%d" % (k, arg)]
            sign = rates["BM_SignKind/%d/%d" % (k, arg)]
            verify = rates["BM_VerifyKind/%d/%d" % (k, arg)]
            lines.append("| %s | %s | %s | %s | **%.0f%%** | %s | %.0f%% |" % (
                kind, profile, fmt_rate(raw), fmt_rate(sign),
                100 * sign / raw, fmt_rate(verify), 100 * verify / raw))
            verdicts.append(("%s %s" % (kind, profile), sign / raw,
                             verify / raw))
    lines.append("")
    lines.append("Targets: signing at least 35% of the raw HMAC rate, "
                 "verifying at least 30%.\n")
    for profile, s, v in verdicts[:2]:
        lines.append("- %s: signing %s (%.0f%%), verifying %s (%.0f%%)." % (
            profile, "meets the target" if s >= 0.35 else "MISSES the target",
            100 * s, "meets the target" if v >= 0.30 else "MISSES the target",
            100 * v))
    low = [name for name, s, _ in verdicts[2:] if s < 0.35]
    lines.append("- Each kind alone: signing %s." % (
        "meets the target for all six" if not low else
        "misses it for " + ", ".join(low)))
    lines.append("")
    stages = [
        ("split and check the MAC", "BM_VerifyStage1_SplitAndMac"),
        ("decode the payload (base64url)", "BM_VerifyStage2_DecodePayload"),
        ("read the claims (simple-object JSON reader)",
         "BM_VerifyStage3_ParseJson"),
        ("parse the scope claim", "BM_VerifyStage4_ParseScopes"),
    ]
    verify_ns = 1e9 / rates["BM_VerifyCapability/1"]
    lines.append(signing_profile_text(signing_profile))
    lines.append("Where verifying the node-profile token spends its time, "
                 "each stage measured alone, as the verifier runs it (the "
                 "rest is copying the claims out and freeing them):\n")
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
    params = (1, 2, 4, 8, 16, 32)
    for n in params:
        r = rates["BM_SignWithParams/%d" % n]
        lines.append("| %d | %s | %.2f |" % (n, fmt_rate(r), 1e6 / r))
    lines.append("")
    lines.append("| incoming scopes | rate | µs per token |")
    lines.append("|---|---|---|")
    scopes = (1, 2, 4, 8, 16)
    for n in scopes:
        r = rates["BM_SignWithScopes/%d" % n]
        lines.append("| %d | %s | %.2f |" % (n, fmt_rate(r), 1e6 / r))
    lines.append("")
    pa, pb, pr2 = linear_fit(params, [1e9 / rates["BM_SignWithParams/%d" % n]
                                      for n in params])
    sa, sb, sr2 = linear_fit(scopes, [1e9 / rates["BM_SignWithScopes/%d" % n]
                                      for n in scopes])
    lines.append("A straight line fits both (least squares): %.0f ns + "
                 "%.0f ns per parameter (R² = %.3f), %.0f ns + %.0f ns per "
                 "scope (R² = %.3f). Each parameter is percent-encoded twice "
                 "and each byte is hashed.\n" % (pa, pb, pr2, sa, sb, sr2))
    return "\n".join(lines), verdicts, (pb, pr2, sb, sr2)


def peers_section(peers, ours, context):
    lines = ["## Against the peers (same token, same run, one core each)\n"]
    lines.append(
        "The typical token in the node profile, minted by what a service "
        "would otherwise use. Rates are per CPU second of the process (all "
        "three are single-threaded for this), each the median of several "
        "rounds; ours is `BM_SignCapability/1`, run just before and just "
        "after the peers (%s and %s; the ratios use their mean).\n" % (
            fmt_rate(ours[0]), fmt_rate(ours[1])))
    lines.append("![peers](performance-peers.png)\n")
    ours_rate = sum(ours) / len(ours)
    our_node = context.get("typical_token_twilio-node", "")
    our_python = context.get("typical_token_twilio-python", "")
    lines.append("| minting the typical token | tokens per CPU second | "
                 "captoken is | same bytes as captoken |")
    lines.append("|---|---|---|---|")
    lines.append("| captoken `SignCapabilityToken` (C++, node profile) | %s "
                 "| 1× | — |" % fmt_rate(ours_rate))
    ratios = {}
    node = peers.get("node", {})
    if "tokens_per_cpu_second" in node:
        r = node["tokens_per_cpu_second"]
        ratios["node"] = ours_rate / r
        lines.append("| twilio-node %s `ClientCapability.toJwt()` "
                     "(jsonwebtoken %s, node %s) | %s | **%.0f×** faster | %s |"
                     % (node["twilio"], node["jsonwebtoken"], node["node"],
                        fmt_rate(r), ratios["node"],
                        "yes, byte for byte" if node["token"] == our_node
                        else "**NO** (see below)"))
    else:
        lines.append("| twilio-node | not run: %s | | |" % node.get("error"))
    py = peers.get("pyjwt", {})
    if "twilio_python" in py:
        r = py["twilio_python"]["tokens_per_cpu_second"]
        ratios["pyjwt"] = ours_rate / r
        same = same_claims(py["twilio_python"]["token"], our_python)
        lines.append("| PyJWT %s (python %s), twilio-python 6+'s way: build "
                     "the scope URIs, `jwt.encode()` | %s | **%.0f×** faster "
                     "| %s |" % (
                         py["pyjwt"], py["python"], fmt_rate(r),
                         ratios["pyjwt"],
                         "same claims as our twilio-python profile "
                         "(PyJWT's JSON is compact, twilio-python 5's "
                         "spaced)" if same else "**NO**: claims differ"))
        r = py["encode_only"]["tokens_per_cpu_second"]
        ratios["pyjwt_encode"] = ours_rate / r
        lines.append("| PyJWT `jwt.encode()` alone, of our node-profile "
                     "claims | %s | %.0f× faster | %s |" % (
                         fmt_rate(r), ratios["pyjwt_encode"],
                         "yes, byte for byte" if py["encode_only"]["token"]
                         == our_node else "**NO**"))
    else:
        lines.append("| PyJWT | not run: %s | | |" % py.get("error"))
    lines.append("")
    lines.append("Targets: at least 100× twilio-node and 10× PyJWT per "
                 "core. The PyJWT verdict uses twilio-python's way (what a "
                 "user runs); `jwt.encode()` alone, which skips building "
                 "the scope string, is shown as the stricter comparison.\n")
    return "\n".join(lines), ratios


def same_claims(token_a, token_b):
    import base64

    def claims(token):
        payload = token.split(".")[1]
        payload += "=" * (-len(payload) % 4)
        return json.loads(base64.urlsafe_b64decode(payload))
    try:
        return claims(token_a) == claims(token_b)
    except (IndexError, ValueError):
        return False


def grpc_section(grpc, quick):
    lines = ["## Over gRPC on loopback\n"]
    lines.append(
        "`bench/loadgen.cc` (C++, callback API) against the real server "
        "(`//service:server` in development mode: plaintext on 127.0.0.1, "
        "audit log on a pipe that `run.py` reads and counts, as a log "
        "collector would; its CPU is shown beside the servers') and "
        "against `bench/noop_server.cc`, the baseline: the same "
        "gRPC libraries, callback API and server settings "
        "(`service::ConfigureServerBuilder`), answering "
        "`MintCapabilityToken` at once with a canned response of the same "
        "size. The request is the typical token of the library benchmark. "
        "Load generator, servers and anything else running share the "
        "machine's %d cores, so throughput here is what the whole machine "
        "does, client included.\n" % os.cpu_count())
    lines.append("![gRPC throughput and latency](performance-grpc.png)\n")
    pairs = "1 round of 1 s" if quick else "7 rounds of 1.5 s"
    lines.append("### Peak throughput (closed loop)\n")
    lines.append("Exactly N calls in flight over %s; %s per server and "
                 "concurrency after a warm-up, the servers alternating; the "
                 "median. Ratio: the median of each round's captoken / "
                 "no-op.\n" % (
                     "1, 4 or 8 channels (one TCP connection each) for 1, 16 "
                     "or 256 calls", pairs))
    lines.append("| calls in flight | no-op server | captoken server | "
                 "captoken / no-op (paired rounds) | lowest and highest "
                 "round |")
    lines.append("|---|---|---|---|---|")
    for c in CONCURRENCIES:
        low, high = grpc["peak_ratio_range"][c]
        lines.append("| %d | %s | %s | **%.0f%%** | %.0f%%–%.0f%% |" % (
            c, fmt_rate(grpc["peak"]["noop"][c]),
            fmt_rate(grpc["peak"]["real"][c]), 100 * grpc["peak_ratio"][c],
            100 * low, 100 * high))
    noop_peak = max(grpc["peak"]["noop"].values())
    real_peak = max(grpc["peak"]["real"].values())
    lines.append("| **peak** (best concurrency of each) | **%s** | **%s** "
                 "| **%.0f%%** | |" % (
        fmt_rate(noop_peak), fmt_rate(real_peak), 100 * real_peak / noop_peak))
    lines.append("")
    lines.append(
        "Rounds disagree by this much because other work on the machine "
        "comes and goes; a ratio above 100%% is that noise, not a server "
        "faster than doing nothing. What each call costs in CPU is "
        "steadier, measured with both servers under the same load (16 in "
        "flight, %s due, half the no-op server's peak; the median of %s):"
        "\n" % (fmt_rate(grpc["cpu_rate"]),
                "1 run" if quick else "7 runs each"))
    cpu = grpc["cpu_us_per_call"]
    client = grpc["client_cpu_us_per_call"]
    lines.append("| CPU per call | no-op server | captoken server |")
    lines.append("|---|---|---|")
    lines.append("| server process | %.1f µs | %.1f µs |" % (cpu["noop"],
                                                            cpu["real"]))
    lines.append("| load generator process | %.1f µs | %.1f µs |" % (
        client["noop"], client["real"]))
    lines.append("")
    lines.append(
        "So at equal load the server's own work costs about %.1f µs of CPU "
        "per call, %.0f%% on top of what gRPC costs the no-op server.\n" % (
            cpu["real"] - cpu["noop"],
            100 * (cpu["real"] - cpu["noop"]) / cpu["noop"]))
    if (text := peak_cpu_text(grpc, "call", "calls")):
        lines.append(text)

    lines.append("### Latency at 50% and 90% of peak (open loop)\n")
    lines.append(
        "Calls are due at a fixed rate (50%% or 90%% of that server's peak at "
        "the same concurrency, measured again with a 1 s closed loop just "
        "before each run) with at most N in flight; a call due "
        "while all N are busy waits for one and its latency counts the "
        "wait. %s per case, the median of each percentile.\n" % (
            "1 run of 1 s" if quick else "3 runs of 2.5 s"))
    lines.append("| calls in flight | load | server | calls due | "
                 "completed | p50 | p99 | p99.9 | calls that waited for a "
                 "slot |")
    lines.append("|---|---|---|---|---|---|---|---|---|")
    for c in CONCURRENCIES:
        for load in LOADS:
            for name, label in (("noop", "no-op"), ("real", "captoken")):
                r = grpc["latency"][name][lkey(c, load)]
                lines.append("| %d | %.0f%% | %s | %s | %s | %s | %s | %s | "
                             "%d |" % (c, 100 * load, label,
                                       fmt_rate(r["rate"]),
                                       fmt_rate(r["throughput"]),
                                       fmt_us(r["p50"]), fmt_us(r["p99"]),
                                       fmt_us(r["p999"]), r["waited"]))
    lines.append("")
    lines.append(
        "Where \"completed\" falls short of \"calls due\", the server (or "
        "the machine) could not keep up with that rate during the run, the "
        "backlog grew, and the percentiles show the queue rather than the "
        "service time: with one call in flight, 90% of a noisy peak "
        "leaves little slack.\n")

    lines.append("### Resident memory during the runs above\n")
    lines.append("| server | before (idle) | during (max) | after (idle) |")
    lines.append("|---|---|---|---|")
    for name, label in (("noop", "no-op"), ("real", "captoken")):
        lines.append("| %s | %.1f MiB | %.1f MiB | %.1f MiB |" % (
            label, grpc["rss_before"][name] / 1024,
            grpc["rss_during"][name] / 1024, grpc["rss_after"][name] / 1024))
    lines.append("")
    lines.append("Every call's status was checked: {:,} calls, {:,} "
                 "failed.\n".format(grpc["calls"], grpc["failed"]))
    return "\n".join(lines)


def batch_section(batch, quick):
    n = batch["batch_size"]
    lines = ["## BatchMint over gRPC (%d-token batches)\n" % n]
    lines.append(
        "The same two servers and load generator, after the single calls "
        "above: each call is a `BatchMint` of %d copies of the typical "
        "capability request, and the no-op server answers it with %d "
        "canned results of the real size, so both pay the same "
        "serialization. The load generator checks every call's status and "
        "every item's code; a call counts only if all %d items are OK. "
        "Throughput is in tokens (items) per second, latency is per call "
        "(the whole batch).\n" % (n, n, n))
    lines.append("![BatchMint throughput and latency](performance-batch.png)"
                 "\n")
    lines.append("### Peak throughput (closed loop)\n")
    lines.append("Exactly N batches in flight; %s per server and "
                 "concurrency after a warm-up, the servers alternating; the "
                 "median. Ratio: the median of each round's captoken / "
                 "no-op.\n" % ("1 round of 1 s" if quick
                                else "5 rounds of 1.5 s"))
    lines.append("| batches in flight | no-op server | captoken server | "
                 "captoken batches/s | captoken / no-op (paired rounds) | "
                 "lowest and highest round |")
    lines.append("|---|---|---|---|---|---|")
    for c in CONCURRENCIES:
        low, high = batch["peak_ratio_range"][c]
        lines.append("| %d | %s | %s | %.0f | **%.0f%%** | "
                     "%.0f%%–%.0f%% |" % (
                         c, fmt_tokens(batch["peak"]["noop"][c]),
                         fmt_tokens(batch["peak"]["real"][c]),
                         batch["peak_calls"]["real"][c],
                         100 * batch["peak_ratio"][c], 100 * low, 100 * high))
    noop_peak = max(batch["peak"]["noop"].values())
    real_peak = max(batch["peak"]["real"].values())
    lines.append("| **peak** (best concurrency of each) | **%s** | "
                 "**%s** | | **%.0f%%** | |" % (
                     fmt_tokens(noop_peak), fmt_tokens(real_peak),
                     100 * real_peak / noop_peak))
    lines.append("")
    cpu = batch["cpu_us_per_token"]
    client = batch["client_cpu_us_per_token"]
    lines.append(
        "CPU per token, both servers under the same load (16 batches in "
        "flight, %.0f batches/s due, half the no-op server's peak; the "
        "median of %s):\n" % (batch["cpu_rate"],
                               "1 run" if quick else "5 runs each"))
    lines.append("| CPU per token | no-op server | captoken server |")
    lines.append("|---|---|---|")
    lines.append("| server process | %.2f µs | %.2f µs |" % (cpu["noop"],
                                                              cpu["real"]))
    lines.append("| load generator process | %.2f µs | %.2f µs |" % (
        client["noop"], client["real"]))
    lines.append("")
    lines.append(
        "So each token costs the captoken server about %.2f µs of CPU more "
        "than the no-op server spends on gRPC for it. With the load "
        "generator on the same %d cores, CPU alone caps this machine at "
        "about %s against captoken and %s against the no-op "
        "server (cores / (server + load generator CPU per token)).\n" % (
            cpu["real"] - cpu["noop"], os.cpu_count(),
            fmt_tokens(batch_cpu_cap(batch, "real")),
            fmt_tokens(batch_cpu_cap(batch, "noop"))))
    if (text := peak_cpu_text(batch, "token", "batches")):
        lines.append(text)

    lines.append("### Latency per call at 50% and 90% of peak (open "
                 "loop)\n")
    lines.append(
        "Batches are due at a fixed rate (50%% or 90%% of that server's "
        "peak at the same concurrency, measured again with a 1 s closed "
        "loop just before each run) with at most N in flight; a batch due "
        "while all N are busy waits for one and its latency counts the "
        "wait. %s per case, the median of each percentile.\n" % (
            "1 run of 1 s" if quick else "2 runs of 2 s"))
    lines.append("| batches in flight | load | server | batches due | "
                 "completed | tokens | p50 | p99 | p99.9 | batches that "
                 "waited for a slot |")
    lines.append("|---|---|---|---|---|---|---|---|---|---|")
    for c in CONCURRENCIES:
        for load in LOADS:
            for name, label in (("noop", "no-op"), ("real", "captoken")):
                r = batch["latency"][name][lkey(c, load)]
                lines.append(
                    "| %d | %.0f%% | %s | %.0f/s | %.0f/s | %s | %s | %s | "
                    "%s | %d |" % (c, 100 * load, label, r["rate"],
                                   r["throughput"],
                                   fmt_tokens(r["tokens_throughput"]),
                                   fmt_us(r["p50"]), fmt_us(r["p99"]),
                                   fmt_us(r["p999"]), r["waited"]))
    lines.append("")

    lines.append("### Resident memory during the BatchMint runs\n")
    lines.append("| server | before (idle) | during (max) | after (idle) |")
    lines.append("|---|---|---|---|")
    for name, label in (("noop", "no-op"), ("real", "captoken")):
        lines.append("| %s | %.1f MiB | %.1f MiB | %.1f MiB |" % (
            label, batch["rss_before"][name] / 1024,
            batch["rss_during"][name] / 1024,
            batch["rss_after"][name] / 1024))
    lines.append("")
    lines.append(
        "Every call's status and every item's code was checked: {:,} "
        "calls, {:,} failed; {:,} tokens, {:,} items failed. The real "
        "server's log, read to the end after it stopped, had {:,} audit "
        "lines for this phase against {:,} due (one per item and one per "
        "call, the profile's calls included){}.\n".format(
            batch["calls"], batch["failed"], batch["tokens"],
            batch["items_failed"], batch["audit_lines"],
            batch["real_lines_due"],
            "" if batch["audit_lines"] >= batch["real_lines_due"] else
            ": **{:,} lines missing**, dropped by the server's log queue "
            "while its reader fell behind (`service/log.h`)".format(
                batch["real_lines_due"] - batch["audit_lines"])))
    lines.append(profile_section(
        batch["profile"], "### Where the server spends its CPU on "
        "BatchMint\n", "16 BatchMint calls of %d requests in flight" % n))
    lines.append(BATCH_TUNING)
    return "\n".join(lines)


BATCH_TUNING = """### What was tuned for BatchMint, and why

Each change followed the batch profile (16 calls of 100 in flight). The
figures in this list are from the commits that made each change, not from
this run (this run's are in the tables above): the shares are of the
server's CPU samples before and after, and the CPU per token is the
server's at a fixed 80 k tokens/s (16 in flight, alternating rounds), on
this shared machine when the change was made.

- **Metrics once per batch, not per item** (`service/token_service.cc`,
  `BatchCounts`): two prometheus label lookups per item (a map of strings,
  a hash and the family's lock) became one update per distinct label per
  batch: `ServerMetrics` 6.3% -> 0.5%.
- **Audit lines built on their shared fields, queued together**
  (`LogLine::Truncate`, `LogBatch`, `Logger::Write(LogBatch)`). Every item
  still gets its own audit line with its own fields, in order, then the call
  gets one (documented in docs/server.md, checked by an e2e test); the
  fields all lines of a call share (time, method, peer, caller) are written
  once, each item's line is built on them, and the call's lines are queued
  under one lock: building the lines 9.9% -> 6.6%, the writer thread 5.1% ->
  2.7%. With the metrics change: 7.4-8.2 -> 6.2-7.3 us per token.
- **Request and response on a per-call arena, results minted in place**
  (`service/arena_message_allocator.h`; `TokenMinter::BatchMint` writes into
  gRPC's response). gRPC parsed each request into hundreds of heap objects
  and freed them, and each token was built on the heap and moved in: malloc
  and free 27% -> 12%, freeing the messages 10.7% -> about 5% (the arena's
  cleanup); 6.1-7.1 -> 5.25-5.35 us per token. The no-op server uses the
  same allocator (a setting of the service, like the builder's), so the
  baseline still pays what gRPC costs the real server; it cut the no-op
  server's own CPU per token from 2.1-3.0 to about 1.4 us.
- **The load generator parses onto an arena too**, since it shares the
  cores with the servers: 10-15% less client CPU per token.
- **TCMalloc in both servers** (`//bazel:malloc`, Debian's
  libtcmalloc-minimal4). Even with the arenas, glibc's malloc and free
  (leaf functions) were 11% of the server's samples in the batch profile:
  gRPC's per-call objects, and each token's strings while it is built.
  Five interleaved rounds of the same server with and without it
  (`LD_PRELOAD`) gave 318 k -> 357 k tokens/s on average (+12%), with the
  machine's noise larger than that in single rounds. The no-op server links
  it too, so the baseline is unchanged in kind. Sanitizer builds keep
  glibc's allocator. TCMalloc's thread caches are capped at 2 MB in all
  (`service/allocator.h`): with its default 32 MB, resident memory rose 22%
  between the 10,000th and the 1,000,000th request as the handler threads
  filled their caches; with the cap, 2.5%.
- **Audit records reserve their kind lists**: vector growth 1.7% -> 0.8%.
- **Already so**: one snapshot of the accounts and policies per batch
  (`TokenMinter::NewCall`), each account's HMAC key prepared once at load
  (`HmacSha256Key`), the response's results reserved.
- **Not changed.** Signing is the token library's (its own section and
  targets). The SHA-256 fingerprint of each token is a documented field of
  the response and the audit line. Escaping the audit lines' keys (constant
  literals) on every line costs about 3%; writing them raw would save it at
  the price of trusting every caller of `LogLine::Add` with JSON, which the
  log's tests guard against for values. Parsing the request and
  serializing the response are gRPC's and the no-op server's too.
"""


def batch_cpu_cap(batch, name):
    """Tokens/s the machine's CPU allows: cores / (server + client) CPU."""
    per_token = (batch["cpu_us_per_token"][name] +
                 batch["client_cpu_us_per_token"][name])
    return os.cpu_count() * 1e6 / per_token if per_token else float("nan")


def cpu_at_peak(runs, peak, per=1):
    """Each server's CPU in its closed-loop rounds at its best concurrency
    (`runs[name][concurrency]`, `peak[name][concurrency]`): the server's
    and the load generator's CPU per call (per token, with `per` tokens a
    call), medians, and how busy the two kept the machine's cores. CPU per
    call falls as load rises (more calls share each system call), so the
    peak is explained by the CPU spent at the peak, not at half load."""
    out = {}
    for name in runs:
        best = max(peak[name], key=peak[name].get)
        rounds = runs[name][best]
        out[name] = {
            "concurrency": best,
            "server": median([r["server_cpu_us"] / per for r in rounds]),
            "client": median([r["client_cpu_us"] / per for r in rounds]),
            "reader": median([r["reader_cpu_us"] / per for r in rounds]),
            # CPU seconds of both processes per second of the whole run,
            # over the cores.
            "busy": median([(r["server_cpu_s"] +
                             r["client_cpu_us"] * r["calls"] / 1e6) /
                            (r["wall_s"] * os.cpu_count()) for r in rounds]),
        }
    return out


def peak_totals(at_peak):
    """Server plus load generator CPU per call (or token), by server."""
    return {n: v["server"] + v["client"] for n, v in at_peak.items()}


def batch_budget_us():
    """The CPU per token, server and load generator together, that the
    BatchMint target allows on this machine's cores."""
    return os.cpu_count() * 1e6 / BATCH_TARGET


def cpu_bound_estimate(grpc):
    """noop / real total CPU per call (server + load generator), at each
    server's peak where the run measured it (older results: at half
    load)."""
    at_peak = grpc.get("peak_cpu")
    if at_peak:
        total = peak_totals(at_peak)
        return total["noop"] / total["real"]
    cpu = grpc["cpu_us_per_call"]
    client = grpc["client_cpu_us_per_call"]
    return (cpu["noop"] + client["noop"]) / (cpu["real"] + client["real"])


def peak_cpu_text(suite, unit, units):
    """The CPU table of the closed-loop rounds at each server's peak, and
    what it predicts for the peak ratio; "" for results without it."""
    at_peak = suite.get("peak_cpu")
    if not at_peak:
        return ""
    noop, real = at_peak["noop"], at_peak["real"]
    total = peak_totals(at_peak)
    digits = 1 if unit == "call" else 2
    us = lambda v: "%.*f µs" % (digits, v)
    lines = [
        "At the peak itself (the closed-loop rounds above at each server's "
        "best concurrency: %d %s in flight for the no-op server, %d for "
        "captoken; medians) each %s costs less CPU than at half load, "
        "because more %s share each system call and wake-up, and the "
        "server's own work weighs more:\n" % (
            noop["concurrency"], units, real["concurrency"], unit, units),
        "| CPU per %s, at peak | no-op server | captoken server |" % unit,
        "|---|---|---|",
        "| server process | %s | %s |" % (us(noop["server"]),
                                          us(real["server"])),
        "| load generator process | %s | %s |" % (us(noop["client"]),
                                                  us(real["client"])),
        "| server and load generator | %s | %s |" % (us(total["noop"]),
                                                     us(total["real"])),
        "| the %d cores busy with the two | %.0f%% | %.0f%% |" % (
            os.cpu_count(), 100 * noop["busy"], 100 * real["busy"]),
        "| and run.py, reading the server's log | %s | %s |" % (
            us(noop.get("reader", 0)), us(real.get("reader", 0))),
        "",
        "With the load generator on the same cores, throughput is cores × "
        "busy ÷ CPU per %s: the server's and the load generator's CPU per "
        "%s alone put captoken at %.0f%% of the no-op rate (the CPU-bound "
        "estimate), and how busy each run kept the cores at %.0f%% of that "
        "again, %.0f%% together. The log reader (last row) shares the "
        "cores too: what a log collector costs the machine, which the no-op "
        "server, writing no audit lines, does not.\n" % (
            unit, unit, 100 * total["noop"] / total["real"],
            100 * real["busy"] / noop["busy"],
            100 * total["noop"] / total["real"] * real["busy"] /
            noop["busy"]),
    ]
    return "\n".join(lines)


def pinned_section(pinned, quick):
    """The one-core-for-the-server table; "" for results without it."""
    if not pinned:
        return ""
    lines = ["## One core for the server\n"]
    lines.append(
        "The shared runs above measure the whole machine, load generator "
        "included. Here each server runs alone on core %d and the load "
        "generator and `run.py` (the log reader) on core%s %s, so the "
        "server's own capacity shows: `BatchMint`, %d batches of %d in "
        "flight, %s, the servers alternating; the median.\n" % (
            pinned["server_cpu"],
            "s" if len(pinned["client_cpus"]) > 1 else "",
            ", ".join(str(c) for c in pinned["client_cpus"]),
            pinned["concurrency"], pinned["batch_size"],
            "1 round of 1 s" if quick else "5 rounds of 1.5 s"))
    lines.append("| server | tokens/s | its core busy | tokens per second "
                 "of server CPU |")
    lines.append("|---|---|---|---|")
    for name, label in (("noop", "no-op"), ("real", "captoken")):
        row = pinned[name]
        lines.append("| %s | %s | %.0f%% | %s |" % (
            label, fmt_tokens(row["tokens_per_s"]), 100 * row["busy"],
            fmt_tokens(row["per_cpu_second"])))
    lines.append("")
    lines.append(
        "Where a server's core is well short of busy, the load generator on "
        "its own core was the limit, not that server. The last column is "
        "what one core of that server does at this load; how it would "
        "scale to more cores is not measured here (this machine has %d).\n"
        % os.cpu_count())
    return "\n".join(lines)


def memory_section(memory, quick):
    points = dict(memory["points"])
    base = points.get(10000, 0)
    last_n, last = memory["points"][-1]
    growth = (last - base) / base if base else float("nan")
    lines = ["### Resident memory after 10,000 and %s requests\n" %
             ("{:,}".format(last_n))]
    lines.append(
        "A fresh captoken server, 16 calls in flight; resident memory "
        "(VmRSS) read half a second after each batch of requests%s.\n" % (
            " (`--quick`: 100,000 instead of 1,000,000)" if quick else ""))
    lines.append("![memory](performance-memory.png)\n")
    lines.append("| requests served | resident memory |")
    lines.append("|---|---|")
    for n, kib in memory["points"]:
        lines.append("| {:,} | {:.1f} MiB |".format(n, kib / 1024))
    lines.append("")
    lines.append("Highest while serving: {:.1f} MiB. {:,} calls, {:,} "
                 "failed; {:,} audit lines read from the server's log (one "
                 "per call).\n".format(
                     memory["rss_max"] / 1024, memory["total"],
                     memory["failed"], memory["audit_lines"]))
    return "\n".join(lines), growth


def profile_section(profile, title="### Where the server spends its CPU\n",
                    load="16 calls in flight"):
    lines = [title]
    if not profile or not profile.get("samples"):
        lines.append("No profile: `perf` is missing or not permitted here.\n")
        return "\n".join(lines)
    lines.append(
        "`perf record --call-graph dwarf` of the captoken server under the "
        "closed loop with %s (%d samples); bench/"
        "profile_summary.py. Each row is the share of the server's CPU "
        "samples whose stack passes through that function (so nested rows "
        "are part of the row above).\n" % (load, profile["samples"]))
    lines.append("| part | share of the server's CPU |")
    lines.append("|---|---|")
    for label, pct in profile["parts"]:
        indent = len(label) - len(label.lstrip(" "))
        lines.append("| %s%s | %.1f%% |" % ("&nbsp;" * 2 * indent,
                                            label.strip(), pct))
    lines.append("| kernel (sockets, scheduling, futexes), all callers | "
                 "%.1f%% |" % profile["kernel_pct"])
    lines.append("| the allocator (TCMalloc's malloc and free), all callers | "
                 "%.1f%% |" %
                 profile["malloc_pct"])
    lines.append("")
    lines.append("Functions with the most samples of their own:\n")
    lines.append("| function | self |")
    lines.append("|---|---|")
    for symbol, pct in profile["top_self"]:
        lines.append("| `%s` | %.1f%% |" % (symbol.replace("|", "\\|"), pct))
    lines.append("")
    return "\n".join(lines)


def own_work(profile):
    """The handler's and the log writer's shares of the server's CPU."""
    if not profile or not profile.get("samples"):
        return None
    parts = dict((label.strip(), pct) for label, pct in profile["parts"])
    handler = parts["handler: TokenService::MintCapabilityToken, all of it"]
    writer = parts["log writer thread: Logger::WriterLoop"]
    return handler, writer, parts


TUNING = """### What was tuned, and why

Each change was made because a profile of the server under this load showed
the cost; the numbers are the share of the server's CPU samples (perf, 16
calls in flight) before and after, on this machine when the change was
made. The table above is this run's.

- **Audit log: no wake-up per line** (`service/log.cc`). Each
  `Logger::Write` woke the writer thread (a futex call, a context switch on a
  2-core machine) and the writer then made one `write()` per line. The
  writer now lingers 1 ms after each write, so lines queue without waking
  anyone and go out in batches: `TokenService::Audit` 10.8% → 3.0%, the
  writer thread 9.9% → 3.9%.
- **Log timestamps**: `absl::FormatTime` through the time-zone library on
  every line; each thread now formats a second once and appends the
  milliseconds (about 1.5% before).
- **Token fingerprint** (`service/token/crypto.cc`): OpenSSL 3's one-shot
  `SHA256()` looks the algorithm up by name on every call (`EVP_Q_digest`);
  the low-level calls the HMAC already uses do not: `TokenFingerprint`
  5.0% → 1.0%.
- **absl::Mutex deadlock detection off** in serving processes
  (`service::ConfigureServingProcess`): Debian builds Abseil without
  `NDEBUG`, so every lock and unlock, ours and gRPC's, updated a global lock
  graph (`GraphCycles`, about 2.6%). The no-op server gets the same setting.
- **Not changed, and why.** The callback API runs handlers on gRPC 1.51's
  own threads: with an iomgr that cannot poll in the background, two
  "nexting" threads (`clamp(cores / 2, 2, 16)`) drive the callback
  completion queue, and the C++ API has no knob for them
  (`ServerBuilder::SetSyncServerOption` and `ResourceQuota::SetMaxThreads`
  apply to the sync API only). Transport knobs were tried on the no-op
  server against itself (4 alternating rounds of 2 s, 16 in flight):
  `GRPC_ARG_OPTIMIZATION_TARGET` "throughput", `GRPC_ARG_HTTP2_BDP_PROBE` 0
  and `GRPC_ARG_MINIMAL_STACK`; the with/without ratios spread from 0.70 to
  1.69, no effect distinguishable from the machine's noise, so none is
  applied. `GRPC_ARG_MAX_CONCURRENT_STREAMS` stays at
  the configured 100 per connection (the load generator spreads 256 calls
  over 8 connections). Secrets and policies are read through a snapshot
  (`service/snapshot.h`: a reader lock and a reference count per request)
  and HMAC keys are prepared once.
"""


def points_short(points):
    if points < 1:
        return "short by %.1f point" % points
    return "short by %.0f point%s" % (points, "" if round(points) == 1
                                      else "s")


def verdict_section(lib_verdicts, peer_ratios, grpc, growth, profile, quick,
                    growth_n, signing_profile=None, pinned=None):
    rows = []
    typical = [v for v in lib_verdicts[:2]]
    worst = min(s for _, s, _ in typical)
    rows.append(("Library: signing ≥ 35% of raw HMAC (typical token, both "
                 "profiles)", "%.0f%% (lowest profile)" % (100 * worst),
                 worst >= 0.35, points_short(35 - 100 * worst)))
    worst_verify = min(v for _, _, v in typical)
    rows.append(("Library: verifying ≥ 30% of raw HMAC (issue 2's target; "
                 "typical token, both profiles)",
                 "%.1f%% (lowest profile)" % (100 * worst_verify),
                 worst_verify >= 0.30, points_short(30 - 100 * worst_verify)))
    if "node" in peer_ratios:
        r = peer_ratios["node"]
        rows.append(("Library: ≥ 100× twilio-node per core", "%.0f×" % r,
                     r >= 100, "%.0f× short" % (100 - r)))
    if "pyjwt" in peer_ratios:
        r = peer_ratios["pyjwt"]
        rows.append(("Library: ≥ 10× PyJWT per core (twilio-python's way; "
                     "`jwt.encode()` alone: %.0f×)" %
                     peer_ratios.get("pyjwt_encode", 0), "%.0f×" % r,
                     r >= 10, "%.1f× short" % (10 - r)))
    noop_peak = max(grpc["peak"]["noop"].values())
    real_peak = max(grpc["peak"]["real"].values())
    # The verdict takes the lower of the two ways to compare the peaks:
    # the best medians, and the paired rounds at the no-op server's best
    # concurrency (which the machine's drift during a run affects less).
    best = max(grpc["peak"]["noop"], key=grpc["peak"]["noop"].get)
    paired = grpc["peak_ratio"][best]
    ratio = min(real_peak / noop_peak, paired)
    rows.append(("Server: peak ≥ 90% of the no-op server's",
                 "%.0f%% (the best medians: %s vs %s, %.0f%%; paired "
                 "rounds at %d in flight: %.0f%%; CPU-bound estimate "
                 "%.0f%%)" % (
                     100 * ratio, fmt_rate(real_peak), fmt_rate(noop_peak),
                     100 * real_peak / noop_peak, best, 100 * paired,
                     100 * cpu_bound_estimate(grpc)),
                 ratio >= 0.9, points_short(90 - 100 * ratio)))
    p99 = grpc["latency"]["real"][lkey(16, 0.5)]["p99"]
    rows.append(("Server: p99 ≤ 1 ms at 50% of peak, 16 in flight",
                 "%s (no-op server: %s)" % (
                     fmt_us(p99),
                     fmt_us(grpc["latency"]["noop"][lkey(16, 0.5)]["p99"])),
                 p99 <= 1000,
                 "%.0f%% over" % (100 * (p99 - 1000) / 1000)))
    batch = grpc.get("batch")
    if batch:
        noop_peak = max(batch["peak"]["noop"].values())
        real_peak = max(batch["peak"]["real"].values())
        rows.append((
            "Server: BatchMint ≥ 500,000 tokens/s (%d-token batches)" %
            batch["batch_size"],
            "%s (%.0f%% of the no-op server's %s)" % (
                fmt_tokens(real_peak), 100 * real_peak / noop_peak,
                fmt_tokens(noop_peak)),
            real_peak >= BATCH_TARGET,
            "%.0f k tokens/s short (%.0f%% of the target)" % (
                (BATCH_TARGET - real_peak) / 1e3,
                100 * real_peak / BATCH_TARGET)))
    rows.append(("Memory: after %s requests within 5%% of after 10,000" %
                 "{:,}".format(growth_n), "%+.1f%%" % (100 * growth),
                 abs(growth) <= 0.05,
                 "%.1f points over" % (100 * abs(growth) - 5)))
    lines = ["## Targets\n"]
    if quick:
        lines.append("**This is a `--quick` run: short measurements for a "
                     "smoke test; do not quote its numbers.**\n")
    lines.append("| target | measured | verdict |")
    lines.append("|---|---|---|")
    missed = []
    for label, value, ok, miss in rows:
        lines.append("| %s | %s | %s |" % (label, value,
                                           "met" if ok else "**missed**: " +
                                           miss))
        if not ok:
            missed.append(label)
    lines.append("")
    if any(label.startswith("Library: signing") for label in missed):
        text = ("Why signing misses 35% of the raw HMAC rate: the HMAC "
                "itself is the floor, and signing does everything else a "
                "token needs on top of it. ")
        if signing_profile:
            shares = dict(signing_profile)
            hmac = shares.pop("HMAC-SHA256 in libcrypto (the floor)")
            rest = sorted(shares.items(), key=lambda kv: -kv[1])
            text += ("In its profile (below) the HMAC is %.0f%% of the "
                     "time, so signing runs at about that share of the "
                     "HMAC's rate; the rest is %s. No single part "
                     "dominates: closing the gap means encoding with fewer "
                     "passes and copies in the token library "
                     "(`service/token/`), not a change to the server. " % (
                         hmac, ", ".join("%s %.0f%%" % (label, pct)
                                         for label, pct in rest)))
        text += ("On this shared machine the ratio has measured between "
                 "about 30% and 39% from run to run (the page's previous "
                 "version, before this suite, showed 37–39%).\n")
        lines.append(text)
    own = own_work(profile)
    if any(label.startswith("Server: peak") for label in missed) and own:
        handler, writer, parts = own
        lines.append(
            "Why the server misses its throughput target: the profile "
            "below puts %.1f%% of the server's CPU in the handler "
            "(minting %.1f%%, of which signing %.1f%% and the SHA-256 "
            "fingerprint %.1f%%; the audit line %.1f%%; the caller's "
            "identity %.1f%%) and %.1f%% in the log writer thread, "
            "about %.0f%% in all, which is the share the no-op server does "
            "not spend; measured by CPU time at equal load, the server's "
            "own work is %.1f µs per call, and %s the CPU per call "
            "(server and load generator) alone puts captoken at %.0f%% of "
            "the no-op rate (see the CPU tables below the peak table). "
            "gRPC and the kernel's loopback TCP take the "
            "rest, in both servers alike. What is left of the server's own "
            "work is the work itself: signing (the product), the audit line "
            "and the fingerprint (both documented features), and a few "
            "allocations of strings and protobuf messages per call; no lock "
            "or wait of ours shows in the profile. The rounds' spread in "
            "the peak table is the measure of how much of the miss is the "
            "machine's noise.\n"
            % (handler, parts["minting: TokenMinter::MintCapabilityToken"],
               parts["signing: SignCheckedCapability"],
               parts["SHA-256 fingerprint: TokenFingerprint"],
               parts["audit line: TokenService::AuditLineStart, "
                     "AddAuditFields"],
               parts["caller identity: TokenService::Caller"], writer,
               handler + writer,
               grpc["cpu_us_per_call"]["real"] -
               grpc["cpu_us_per_call"]["noop"],
               "at the peak" if grpc.get("peak_cpu") else "at half load",
               100 * cpu_bound_estimate(grpc)))
    if any(label.startswith("Server: BatchMint") for label in missed):
        lines.append(batch_miss_text(batch, pinned))
    if any(label.startswith("Server: p99") for label in missed):
        case = lkey(16, 0.5)
        noop = grpc["latency"]["noop"][case]
        real = grpc["latency"]["real"][case]
        if noop["p99"] > 1000:
            why = ("the no-op server, which does no work at all, misses it "
                   "too at its own 50%% (p99 %s, against captoken's %s), so "
                   "the tail is the machine's, not the server's work: the "
                   "load generator, both servers' gRPC threads and "
                   "everything else on this shared machine compete for %d "
                   "cores, and a call's tail is time spent waiting to be "
                   "scheduled (%d of the no-op server's calls found all 16 "
                   "slots busy)" % (fmt_us(noop["p99"]), fmt_us(real["p99"]),
                                    os.cpu_count(), noop["waited"]))
        else:
            why = ("the no-op server meets it at its own 50%% (p99 %s) and "
                   "captoken does not (%s, p50 %s against %s): its own "
                   "work, above, lengthens each call and with it the "
                   "queue behind a slow one" % (
                       fmt_us(noop["p99"]), fmt_us(real["p99"]),
                       fmt_us(real["p50"]), fmt_us(noop["p50"])))
        lines.append("Why p99 misses at 16 in flight: %s.\n" % why)
    return "\n".join(lines)


def batch_miss_text(batch, pinned=None):
    """Why BatchMint misses its target: the baseline, the CPU and the
    profile."""
    noop_peak = max(batch["peak"]["noop"].values())
    real_peak = max(batch["peak"]["real"].values())
    cpu = batch["cpu_us_per_token"]
    client = batch["client_cpu_us_per_token"]
    text = ("Why BatchMint misses %s tokens/s: " %
            "{:,}".format(BATCH_TARGET))
    if noop_peak < BATCH_TARGET:
        text += ("the no-op server, which signs nothing, reaches only %s "
                 "on this machine, so the target is beyond what "
                 "gRPC, the kernel's loopback and the load generator leave "
                 "on %d shared cores even with no work at all; " % (
                     fmt_tokens(noop_peak), os.cpu_count()))
    else:
        text += ("the no-op server reaches %s, so the machine "
                 "could; " % fmt_tokens(noop_peak))
    text += ("captoken reaches %.0f%% of the no-op rate. Per token, the "
             "captoken server spends %.2f µs of CPU against the no-op "
             "server's %.2f µs, and the load generator %.2f µs parsing and "
             "checking it; CPU alone caps the machine at about %s "
             "against captoken." % (
                 100 * real_peak / noop_peak, cpu["real"], cpu["noop"],
                 client["real"], fmt_tokens(batch_cpu_cap(batch, "real"))))
    at_peak = batch.get("peak_cpu")
    if at_peak:
        total = peak_totals(at_peak)
        own_budget = max(0.0, batch_budget_us() - total["noop"])
        text += (" At the peak, where each token is cheapest, %s tokens/s "
                 "on %d cores leaves at most %.2f µs of CPU per token for "
                 "the server and the load generator together; they spent "
                 "%.2f µs against captoken (server %.2f, load generator "
                 "%.2f) and %.2f µs against the no-op server, so the "
                 "target needs captoken's own work per token cut to %.2f "
                 "µs, from %.2f." % (
                     "{:,}".format(BATCH_TARGET), os.cpu_count(),
                     batch_budget_us(), total["real"],
                     at_peak["real"]["server"], at_peak["real"]["client"],
                     total["noop"], own_budget,
                     total["real"] - total["noop"]))
    if pinned:
        real = pinned["real"]
        text += (" On a core of its own, with the load generator on the "
                 "other (\"One core for the server\", below), captoken "
                 "served %s with that core %.0f%% busy, %s per second of "
                 "its CPU: the target needs about %.1f such cores, and this "
                 "machine has %d in all, the load generator's included." % (
                     fmt_tokens(real["tokens_per_s"]), 100 * real["busy"],
                     fmt_tokens(real["per_cpu_second"]),
                     BATCH_TARGET / real["per_cpu_second"], os.cpu_count()))
    parts = batch_parts(batch.get("profile"))
    if parts:
        text += (
            " The batch profile (below) puts %.1f%% of the server's CPU in "
            "the handler: minting %.1f%% (of which signing %.1f%%, the "
            "SHA-256 fingerprints %.1f%%, request to spec %.1f%%), the "
            "per-item audit lines %.1f%% and the metrics %.1f%%; the log "
            "writer thread takes %.1f%%. gRPC's own work on the batch "
            "(parsing the request %.1f%%, serializing the response %.1f%%, "
            "freeing both %.1f%%) and the kernel (%.1f%%) are paid by the "
            "no-op server alike." % (
                parts.get("handler", 0), parts.get("minting", 0),
                parts.get("signing", 0), parts.get("fingerprint", 0),
                parts.get("spec", 0), parts.get("audit", 0),
                parts.get("metrics", 0), parts.get("writer", 0),
                parts.get("parse", 0), parts.get("serialize", 0),
                parts.get("free", 0), batch["profile"]["kernel_pct"]))
        if at_peak:
            server = at_peak["real"]["server"]
            features = sum(parts.get(k, 0) for k in (
                "signing", "fingerprint", "audit", "writer", "spec")) / 100
            text += (
                " By those shares, the features themselves (signing, the "
                "fingerprint, the audit line and its writing, turning the "
                "request into a spec) cost about %.2f µs of the server's "
                "%.2f µs per token at the peak, against the %.2f µs of own "
                "work the target leaves." % (
                    features * server, server, own_budget))
    return text + "\n"


def batch_parts(profile):
    """The batch profile's shares by short name (see BATCH_PARTS)."""
    if not profile or not profile.get("samples"):
        return None
    import profile_summary  # bench/profile_summary.py
    by_label = dict((label.strip(), pct) for label, pct in profile["parts"])
    return {key: by_label.get(label.strip(), 0.0)
            for key, label in profile_summary.BATCH_KEYS.items()}


def ensure_packages():
    """bazel/setup.sh bench: matplotlib, PyJWT, perf, npm (Debian)."""
    result = subprocess.run([os.path.join(REPO, "bazel/setup.sh"), "bench"],
                            cwd=REPO)
    if result.returncode != 0:
        log("bazel/setup.sh bench failed; continuing with what is installed")


def measure(quick):
    """Runs everything; returns the raw results (saved as JSON)."""
    started = time.monotonic()
    results = {"quick": quick, "machine": machine()}
    ensure_packages()
    bazel_build(["//bench:token_benchmark", "//bench:loadgen",
                 "//bench:noop_server", "//service:server"])
    benchmark = os.path.join(BIN, "bench/token_benchmark")
    log("library benchmarks")
    results["rates"], results["context"] = google_benchmark(benchmark, quick)
    results["signing_profile"] = profile_library(quick, benchmark)
    log("peers")
    results["peers"], results["ours"] = run_peers(quick, benchmark)
    log("server start-up")
    results["startup_s"], results["idle_rss"] = server_startup(quick)
    results["grpc"] = grpc_suite(quick)
    log("one core for the server")
    results["pinned"] = pinned_suite(quick)
    results["memory"] = memory_suite(quick)
    results["elapsed_s"] = time.monotonic() - started
    return results


def render(results, output):
    """Writes the report and its plots from `results`."""
    quick = results["quick"]
    grpc = results["grpc"]
    # JSON turned the concurrencies into strings.
    grpc["peak"] = {n: {int(c): v for c, v in d.items()}
                    for n, d in grpc["peak"].items()}
    grpc["peak_ratio"] = {int(c): v for c, v in grpc["peak_ratio"].items()}
    grpc["peak_ratio_range"] = {int(c): v for c, v in
                                grpc["peak_ratio_range"].items()}
    batch = grpc.get("batch")
    if batch:
        for key in ("peak", "peak_calls"):
            batch[key] = {n: {int(c): v for c, v in d.items()}
                          for n, d in batch[key].items()}
        for key in ("peak_ratio", "peak_ratio_range"):
            batch[key] = {int(c): v for c, v in batch[key].items()}
    memory = results["memory"]
    ours = results["ours"]
    m = results["machine"]
    lib_text, lib_verdicts, _ = library_section(
        results["rates"], results.get("signing_profile"))
    peer_text, peer_ratios = peers_section(results["peers"], ours,
                                           results["context"])
    mem_text, growth = memory_section(memory, quick)
    out_dir = os.path.dirname(os.path.abspath(output))
    files = plots(results["rates"], results["peers"], sum(ours) / len(ours),
                  grpc, memory, out_dir)
    report = "\n".join(part for part in [
        "# Performance\n",
        "Written by `bench/run.py` (run it to refresh this page, its plots "
        "and the raw numbers in `performance.json`; `--quick` for a smoke "
        "test). Every figure is measured in one run, next to its baseline "
        "from the same run, because absolute times on a shared machine "
        "drift.\n",
        "Machine: %s, %d cores%s, %d GiB, Linux %s; %s; load average %.1f "
        "when the run started (other work shares this machine). Built as "
        "the tests build it (GCC 12, -O2), against OpenSSL 3, gRPC 1.51, "
        "Protobuf 3.21, with TCMalloc (both servers). The run took %.0f s%s.\n" % (
            m["cpu"], m["cores"], " (SHA extensions)" if m["sha_ni"] else "",
            m["memory_gib"], m["kernel"], m["date"], m["load"],
            results["elapsed_s"], " (`--quick`)" if quick else ""),
        verdict_section(lib_verdicts, peer_ratios, grpc, growth,
                        grpc["profile"], quick, memory["points"][-1][0],
                        results.get("signing_profile"),
                        results.get("pinned")),
        lib_text,
        peer_text,
        grpc_section(grpc, quick),
        mem_text,
        profile_section(grpc["profile"]),
        TUNING,
        batch_section(batch, quick) if batch else "",
        pinned_section(results.get("pinned"), quick),
        server_section(results["startup_s"], results["idle_rss"]),
    ] if part)
    with open(output, "w") as f:
        f.write(report)
    print("wrote", os.path.relpath(output), "and",
          ", ".join(os.path.relpath(os.path.join(out_dir, f))
                    for f in files))


def main():
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(__doc__.splitlines()[2:]))
    parser.add_argument("--quick", action="store_true",
                        help="short runs for a smoke test (about 2 minutes)")
    parser.add_argument("--output",
                        default=os.path.join(DOCS, "performance.md"),
                        help="the report; the raw results (.json) and the "
                        "plots (.png) go beside it")
    parser.add_argument("--render", metavar="JSON",
                        help="measure nothing: rewrite the report and plots "
                        "from a previous run's raw results")
    args = parser.parse_args()
    if args.render:
        with open(args.render) as f:
            render(json.load(f), args.output)
        return 0
    results = measure(args.quick)
    raw = os.path.splitext(args.output)[0] + ".json"
    with open(raw, "w") as f:
        json.dump(results, f, indent=1)
        f.write("\n")
    results = json.loads(json.dumps(results))  # render what was saved
    render(results, args.output)
    failed = (results["grpc"]["failed"] + results["memory"]["failed"] +
              (results.get("pinned") or {}).get("failed", 0) +
              results["grpc"].get("batch", {}).get("failed", 0))
    if failed:
        print("run.py: %d gRPC calls failed (see the report)" % failed,
              file=sys.stderr)
        return 1
    return 0


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


if __name__ == "__main__":
    sys.exit(main())
