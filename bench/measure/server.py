"""The real server on its own: start-up time and idle memory, memory over
many requests, and BatchMint with each server on a core of its own."""

import os
import subprocess
import time

from measure.environment import log
from measure.load import loadgen, median
from measure.processes import (REAL_SERVER, PinnedHere, RssSampler,
                               pair_order, real_server, rss_kib,
                               start_servers)


def server_startup(p):
    """Starts the server in development mode on a free port several times;
    returns (median seconds to the 'listening' line, idle RSS in KiB)."""
    times, rss = [], []
    for _ in range(p["startup"]["runs"]):
        start = time.monotonic()
        proc = subprocess.Popen([REAL_SERVER, "--listen=127.0.0.1:0"],
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
        proc.stderr.close()
    return median(times), median(rss)


def pinned_suite(p):
    """BatchMint with each server on a core of its own and the load
    generator and this script on the rest: how much one core of server
    does, which the shared runs cannot show (there the load generator takes
    its share of every core). Single calls are left out: at their rates the
    load generator needs more than one core, so they would measure it. None
    with fewer than two cores."""
    cores = sorted(os.sched_getaffinity(0))
    if len(cores) < 2:
        return None
    g = p["pinned"]
    server_cpus, client_cpus = {cores[0]}, set(cores[1:])
    concurrency = g["concurrency"]
    result = {"server_cpu": cores[0], "client_cpus": sorted(client_cpus),
              "concurrency": concurrency, "batch_size": p["batch_size"],
              "failed": 0}
    runs = {"noop": [], "real": []}
    with PinnedHere(client_cpus):
        servers = start_servers(server_cpus)
        try:
            for i in range(g["rounds"]):
                for name in pair_order(i):
                    log("pinned: %s, BatchMint, round %d" % (name, i + 1))
                    r = loadgen(servers[name], concurrency,
                                p["channels"][str(concurrency)],
                                duration=g["duration_s"],
                                warmup=g["warmup_s"],
                                batch=p["batch_size"], cpus=client_cpus)
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


def memory_suite(p):
    """A fresh real server: RSS idle, after the first requests, and after
    every further chunk up to the total."""
    g = p["memory"]
    server = real_server()
    time.sleep(1.0)
    points = [(0, server.rss())]
    failed = 0
    sampler = RssSampler(server.pid)
    done = 0
    chunks = g["chunks"]
    plan = [g["first"]] + [(g["total"] - g["first"]) // chunks] * chunks
    plan[-1] += g["total"] - sum(plan)
    c = g["concurrency"]
    for n in plan:
        log("memory: %d requests (%d so far)" % (n, done))
        r = loadgen(server, c, p["channels"][str(c)], requests=n)
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
