"""The load generator (bench/loadgen.cc) against a server, and the server's
CPU per call over each run."""

import json
import os
import subprocess
import time

from measure.environment import BIN, log
from measure.processes import on_cpus


def lkey(concurrency, load):
    """The key of a latency case: "16@50%"."""
    return "%d@%.0f%%" % (concurrency, 100 * load)


def median(values):
    import statistics
    return statistics.median(values) if values else float("nan")


def loadgen(server, concurrency, channels, rate=0.0, duration=2.0,
            warmup=0.5, requests=0, batch=0, cpus=None, extra=None):
    """Runs the load generator against `server`; returns its JSON, plus the
    server's CPU seconds per call over the run (`server_cpu_us`). With
    `batch`, it calls BatchMint with batches of that many requests (`rate`
    and `requests` count calls, not tokens); with `cpus`, only on those;
    `extra` flags are passed on."""
    argv = on_cpus(cpus) + [os.path.join(BIN, "bench/loadgen"),
                            "--target=127.0.0.1:%d" % server.port,
                            "--concurrency=%d" % concurrency,
                            "--channels=%d" % channels,
                            "--allow_errors"] + (extra or [])
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


def cpu_at_peak(runs, peak, per=1, cores=None):
    """Each server's CPU in its closed-loop rounds at its best concurrency
    (`runs[name][concurrency]`, `peak[name][concurrency]`): the server's
    and the load generator's CPU per call (per token, with `per` tokens a
    call), medians, and how busy the two kept the machine's cores. CPU per
    call falls as load rises (more calls share each system call), so the
    peak is explained by the CPU spent at the peak, not at half load."""
    cores = cores or os.cpu_count()
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
                            (r["wall_s"] * cores) for r in rounds]),
        }
    return out
