"""Scale in accounts: the real server serving 1 to 1,000,000 accounts from a
secrets directory (docs/server.md, "Accounts from a directory"), generated
on a tmpfs. For each count: the time to generate the directory, start-up
(launch to the `listening` line), resident memory, one account changed
(from replacing its token to the server's `account_changes_applied` line:
applied by change notification, no SIGHUP), every account changed (their
tokens replaced, then SIGHUP to the `reloaded` line: the full scan that
backs notification up), and the server's CPU per MintCapabilityToken
against a one-account server, the two alternating in the same run.

The server watches each account with inotify, one watch per account: the
suite runs as root and raises fs.inotify.max_user_watches for the run when
the largest count needs more than the system allows (restoring it after),
and the results say so. Without that, or when the server still reports the
limit, the one-account change is timed through SIGHUP instead, and marked.

The server runs on one core, the load generator and this script on the
others. The directory grows from one count to the next (the accounts of
the smaller count stay), so the largest is written once."""

import json
import os
import random
import shutil
import signal
import subprocess
import tempfile
import threading
import time

from measure.environment import BIN, log
from measure.load import loadgen, median
from measure.processes import (REAL_SERVER, PinnedHere, cpu_seconds,
                               on_cpus, pair_order, rss_kib, stop_process)

# Where the secrets directory goes: a tmpfs, so that the measurement is of
# the server, not of a disk.
TMPFS_CANDIDATES = ("/dev/shm",)
# What one generated account is estimated to take, in bytes: its tmpfs
# page (4 KiB) and two inodes and dentries in the kernel, and the servers'
# memory for it (two servers may hold it during a reload of all accounts).
# Used only to decide whether a count fits before writing it.
BYTES_PER_ACCOUNT_ESTIMATE = 12 * 1024
AUTH_TOKEN_BYTES = 32
MAX_USER_WATCHES = "/proc/sys/fs/inotify/max_user_watches"
# Watches beyond the accounts: the other servers and whatever else on the
# machine watches files.
WATCH_HEADROOM = 65536


def read_max_user_watches():
    try:
        with open(MAX_USER_WATCHES) as f:
            return int(f.read())
    except (OSError, ValueError):
        return None


def raise_max_user_watches(needed):
    """Raises fs.inotify.max_user_watches to `needed` if it is lower and
    this process may; returns {"before", "during", "raised", "why"}."""
    before = read_max_user_watches()
    state = {"before": before, "during": before, "raised": False}
    if before is None:
        state["why"] = "the limit cannot be read"
        return state
    if before >= needed:
        state["why"] = "already enough"
        return state
    try:
        with open(MAX_USER_WATCHES, "w") as f:
            f.write(str(needed))
    except OSError as e:
        state["why"] = "cannot be raised: %s" % e.strerror
        return state
    state["during"] = read_max_user_watches()
    state["raised"] = state["during"] == needed
    return state


def restore_max_user_watches(state):
    if state and state.get("raised"):
        with open(MAX_USER_WATCHES, "w") as f:
            f.write(str(state["before"]))
        log("scale: fs.inotify.max_user_watches restored to %d" %
            state["before"])


def sid(i):
    return "AC%032x" % i


def mem_available_bytes():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    return 0


def tmpfs_dir():
    """A tmpfs to generate on: /dev/shm, or TMPDIR if that is a tmpfs."""
    for path in TMPFS_CANDIDATES + (tempfile.gettempdir(),):
        try:
            with open("/proc/mounts") as f:
                mounts = [line.split() for line in f]
        except OSError:
            return None
        best = None
        for fields in mounts:
            mount = fields[1]
            if (path == mount or path.startswith(mount.rstrip("/") + "/")) \
                    and (best is None or len(mount) > len(best[1])):
                best = fields
        if best and best[2] == "tmpfs" and os.access(path, os.W_OK):
            return path
    return None


def fitting_counts(counts, where):
    """The counts whose accounts fit in free memory and on the tmpfs, and
    a note for each one left out."""
    vfs = os.statvfs(where)
    room = min(mem_available_bytes(), vfs.f_bavail * vfs.f_frsize)
    kept, skipped = [], {}
    for n in counts:
        need = n * BYTES_PER_ACCOUNT_ESTIMATE
        if need < 0.8 * room:
            kept.append(n)
        else:
            skipped[str(n)] = ("needs about %d MiB, %d MiB free" % (
                need >> 20, room >> 20))
    return kept, skipped


def write_token(path, rng):
    """Writes a fresh auth token to `path` as a secrets manager would: a
    new file renamed over the old one (a new inode)."""
    tmp = path + ".new"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, b"%032x\n" % rng.getrandbits(4 * AUTH_TOKEN_BYTES))
    finally:
        os.close(fd)
    os.replace(tmp, path)


def grow(accounts_dir, have, n, rng):
    """Adds accounts have..n-1 (ACxxxx/auth_token each)."""
    for i in range(have, n):
        d = os.path.join(accounts_dir, sid(i))
        os.mkdir(d)
        fd = os.open(os.path.join(d, "auth_token"),
                     os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, b"%032x\n" % rng.getrandbits(4 * AUTH_TOKEN_BYTES))
        finally:
            os.close(fd)


def write_config(path, accounts_dir, name):
    with open(path, "w") as f:
        f.write('listen_address: "127.0.0.1:0"\n'
                # No polling: changes are applied by notification, and
                # full reloads are SIGHUPs.
                'secret_watch_interval { seconds: 0 }\n'
                'account_directories { path: "%s" name: "%s" }\n' % (
                    accounts_dir, name))


def write_sids(path, n, sample, rng):
    """Up to `sample` SIDs of accounts 0..n-1, in random order, for the
    load generator to take in turn."""
    picks = rng.sample(range(n), min(n, sample))
    with open(path, "w") as f:
        f.write("".join(sid(i) + "\n" for i in picks))


class LoggedServer:
    """The real server with a config, on `cpus`; a thread reads its log,
    counting audit lines and keeping every other line with the time this
    script read it."""

    def __init__(self, name, config, cpus, timeout_s):
        self.name = name
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            on_cpus(cpus) + [REAL_SERVER, "--config=" + config],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.pid = self.proc.pid
        self.audit_lines = 0
        self.events = []  # (monotonic time read, the line's JSON)
        self._cond = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        at, line = self.wait_for("listening", 0, timeout_s)
        self.startup_s = at - self.started
        self.startup_cpu_s = self.cpu()
        self.port = line["port"]
        self.listening = line

    def _read(self):
        for raw in self.proc.stderr:
            if b'"event":"audit"' in raw:
                self.audit_lines += 1
                continue
            now = time.monotonic()
            try:
                line = json.loads(raw)
            except ValueError:
                continue
            with self._cond:
                self.events.append((now, line))
                self._cond.notify_all()
        with self._cond:
            self.events.append((time.monotonic(), {"event": "<exited>"}))
            self._cond.notify_all()

    def mark(self):
        with self._cond:
            return len(self.events)

    def wait_for(self, event, after, timeout_s):
        """The first `event` line from index `after` on: (time, line)."""
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while True:
                for at, line in self.events[after:]:
                    if line.get("event") == event:
                        return at, line
                    if line.get("event") in ("<exited>", "startup_failed",
                                             "reload_failed"):
                        raise RuntimeError("server: %s" % json.dumps(line))
                left = deadline - time.monotonic()
                if left <= 0:
                    raise RuntimeError("server: no %s line in %g s" % (
                        event, timeout_s))
                self._cond.wait(left)

    def events_since(self, event, after):
        with self._cond:
            return [line for _, line in self.events[after:]
                    if line.get("event") == event]

    def reload(self, timeout_s):
        """SIGHUP; returns the seconds to the `reloaded` line, the server's
        CPU seconds meanwhile, and the directory's refresh line."""
        mark = self.mark()
        cpu = self.cpu()
        start = time.monotonic()
        os.kill(self.pid, signal.SIGHUP)
        at, _ = self.wait_for("reloaded", mark, timeout_s)
        refreshed = self.events_since("account_directory_refreshed", mark)
        return at - start, self.cpu() - cpu, (refreshed[-1] if refreshed
                                              else {})

    def apply_one(self, path, rng, timeout_s):
        """Replaces the token at `path`; returns the seconds from then to
        the `account_changes_applied` line (the change applied by
        notification, no signal sent), the server's CPU seconds
        meanwhile, and the directory's refresh line."""
        mark = self.mark()
        cpu = self.cpu()
        start = time.monotonic()
        write_token(path, rng)
        at, _ = self.wait_for("account_changes_applied", mark, timeout_s)
        refreshed = self.events_since("account_directory_refreshed", mark)
        return at - start, self.cpu() - cpu, (refreshed[-1] if refreshed
                                              else {})

    def watch_limit_reached(self):
        return bool(self.events_since("account_directory_watch_limit", 0))

    def rss(self):
        return rss_kib(self.pid)

    def cpu(self):
        return cpu_seconds(self.pid)

    def stop(self):
        stop_process(self.proc, self._reader, timeout_s=60)


def refresh_counts(line):
    return {k: line.get(k) for k in ("accounts", "files_read", "added",
                                     "changed", "removed", "broken", "scan",
                                     "looked_at", "unwatched")}


def mint_rounds(servers, sids_files, g, cpus, result):
    """Server CPU per call for each of `servers` ("one", "many"), the two
    alternating; returns ({name: [µs per call]}, [many / one per pair])."""
    cpu_us = {name: [] for name in servers}
    ratios = []
    for i in range(g["mint_rounds"]):
        pair = {}
        for name in pair_order(i):
            name = {"noop": "one", "real": "many"}[name]
            r = loadgen(servers[name], g["concurrency"], g["channels"],
                        rate=g["mint_rate"], duration=g["mint_duration_s"],
                        warmup=g["mint_warmup_s"], cpus=cpus,
                        extra=["--account_sids_file=" + sids_files[name]])
            result["failed"] += r["failed"]
            result["calls"] += r["calls"]
            pair[name] = r["server_cpu_us"]
            cpu_us[name].append(r["server_cpu_us"])
        ratios.append(pair["many"] / pair["one"] if pair["one"]
                      else float("nan"))
    return cpu_us, ratios


def scale_suite(p):
    """Runs the scale measurement; returns its raw results, or
    {"skipped": reason}."""
    g = p["scale"]
    cores = sorted(os.sched_getaffinity(0))
    if len(cores) < 2:
        return {"skipped": "needs two cores (server on one, load on the "
                           "other)"}
    where = tmpfs_dir()
    if where is None:
        return {"skipped": "no writable tmpfs"}
    counts, skipped = fitting_counts(g["counts"], where)
    for n, why in skipped.items():
        log("scale: %s accounts left out: %s" % (n, why))
    server_cpus, client_cpus = {cores[0]}, set(cores[1:])
    rng = random.Random(19)
    result = {"tmpfs": where, "server_cpu": cores[0],
              "client_cpus": sorted(client_cpus), "rows": [],
              "skipped_counts": skipped, "failed": 0, "calls": 0,
              # The machine is shared: its load beside the wall times.
              "load_before": os.getloadavg()[0]}
    root = tempfile.mkdtemp(prefix="captoken-scale-", dir=where)
    timeout = g["timeout_s"]
    baseline = None
    # One watch per account (no account here has an api_keys directory),
    # one per directory, and the headroom.
    watches = raise_max_user_watches(max(counts or [1]) + WATCH_HEADROOM)
    result["max_user_watches"] = watches
    log("scale: fs.inotify.max_user_watches %s (%s)" % (
        watches["during"], "raised from %s for this run" % watches["before"]
        if watches["raised"] else watches.get("why", "")))
    try:
        with PinnedHere(client_cpus):
            # The one-account server every count's minting is compared
            # with, up for the whole measurement.
            one_dir = os.path.join(root, "one")
            os.mkdir(one_dir)
            grow(one_dir, 0, 1, rng)
            write_config(os.path.join(root, "one.textproto"), one_dir, "one")
            one_sids = os.path.join(root, "one.sids")
            write_sids(one_sids, 1, 1, rng)
            baseline = LoggedServer(
                "one account", os.path.join(root, "one.textproto"),
                server_cpus, timeout)
            accounts_dir = os.path.join(root, "accounts")
            os.mkdir(accounts_dir)
            config = os.path.join(root, "scale.textproto")
            write_config(config, accounts_dir, "scale")
            have = 0
            for n in counts:
                result["rows"].append(measure_count(
                    n, have, accounts_dir, config, root, baseline, one_sids,
                    g, server_cpus, client_cpus, rng, result))
                have = n
            log("scale: minting in process at %s accounts" %
                ", ".join(str(n) for n in counts))
            result["in_process"] = in_process([1] + [n for n in counts
                                                     if n > 1],
                                              g, server_cpus)
            result["in_process_params"] = {
                "repetitions": g["in_process_repetitions"],
                "min_time_s": g["in_process_min_time_s"]}
        result["load_after"] = os.getloadavg()[0]
    finally:
        if baseline is not None:
            baseline.stop()
        restore_max_user_watches(watches)
        log("scale: removing %s" % root)
        shutil.rmtree(root, ignore_errors=True)
    return result


def in_process(counts, g, cpus):
    """BM_MintAtScale of bench:minter_benchmark at each count, on `cpus`:
    {count: µs of CPU per call}, the median of the repetitions."""
    argv = on_cpus(cpus) + [
        os.path.join(BIN, "bench/minter_benchmark"),
        "--benchmark_filter=^BM_MintAtScale/",
        "--scale_accounts=" + ",".join(str(n) for n in counts),
        "--benchmark_format=json",
        "--benchmark_repetitions=%d" % g["in_process_repetitions"],
        "--benchmark_min_time=%g" % g["in_process_min_time_s"],
        "--benchmark_enable_random_interleaving=true"]
    out = subprocess.run(argv, check=True, capture_output=True, text=True)
    per_count = {}
    for b in json.loads(out.stdout)["benchmarks"]:
        if b.get("run_type") != "iteration":
            continue
        n = int(b["name"].split("/")[1])
        scale_to_us = {"ns": 1e-3, "us": 1.0, "ms": 1e3}[b["time_unit"]]
        per_count.setdefault(n, []).append(b["cpu_time"] * scale_to_us)
    return {n: median(v) for n, v in per_count.items()}


def measure_count(n, have, accounts_dir, config, root, baseline, one_sids,
                  g, server_cpus, client_cpus, rng, result):
    timeout = g["timeout_s"]
    log("scale: generating accounts %d to %d" % (have, n))
    started = time.monotonic()
    grow(accounts_dir, have, n, rng)
    row = {"accounts": n, "generate_s": time.monotonic() - started,
           "generated": n - have}
    log("scale: %d accounts: starting the server" % n)
    server = LoggedServer("%d accounts" % n, config, server_cpus,
                          timeout)
    try:
        row["startup_s"] = server.startup_s
        row["startup_cpu_s"] = server.startup_cpu_s
        row["listening_accounts"] = server.listening.get("accounts")
        time.sleep(g["idle_s"])
        row["rss_kib"] = server.rss()
        if n > 1:
            sids = os.path.join(root, "many.sids")
            write_sids(sids, n, g["sample_accounts"], rng)
            row["sampled_accounts"] = min(n, g["sample_accounts"])
            log("scale: %d accounts: minting against one account" % n)
            cpu_us, ratios = mint_rounds(
                {"one": baseline, "many": server},
                {"one": one_sids, "many": sids}, g, client_cpus, result)
            row["mint_cpu_us"] = {k: median(v) for k, v in cpu_us.items()}
            row["mint_ratio"] = median(ratios)
            row["mint_ratio_range"] = [min(ratios), max(ratios)]
        # One account changed, applied by notification; through SIGHUP
        # (a full scan) only if the server could not watch every account.
        by_signal = server.watch_limit_reached()
        row["reload_one_by"] = "SIGHUP" if by_signal else "notification"
        one = []
        for r in range(g["reload_runs"]):
            i = (n // 2 + r) % n
            path = os.path.join(accounts_dir, sid(i), "auth_token")
            if by_signal:
                write_token(path, rng)
                log("scale: %d accounts: one changed, SIGHUP (the server "
                    "reached the watch limit)" % n)
                one.append(server.reload(timeout))
            else:
                log("scale: %d accounts: one changed, by notification" % n)
                one.append(server.apply_one(path, rng, timeout))
        row["reload_one_s"] = median([s for s, _, _ in one])
        row["reload_one_cpu_s"] = median([c for _, c, _ in one])
        row["reload_one_refresh"] = refresh_counts(one[-1][2])
        runs = g["reload_runs"] if n <= g["reload_all_repeat_up_to"] else 1
        every = []
        rewrite = []
        applied_during = []
        for r in range(runs):
            log("scale: %d accounts: rewriting every auth token" % n)
            mark = server.mark()
            cpu = server.cpu()
            started = time.monotonic()
            for i in range(n):
                write_token(os.path.join(accounts_dir, sid(i), "auth_token"),
                            rng)
            rewrite.append(time.monotonic() - started)
            log("scale: %d accounts: reload, all changed" % n)
            wall, _, line = server.reload(timeout)
            # Notifications apply changes while the tokens are rewritten:
            # the CPU is counted from the first rewrite, and the files
            # read before the SIGHUP are counted apart.
            every.append((wall, server.cpu() - cpu, line))
            applied_during.append(sum(
                x.get("files_read", 0) for x in server.events_since(
                    "account_directory_refreshed", mark)
                if x.get("scan") == "notified"))
        row["rewrite_all_s"] = median(rewrite)
        row["reload_all_s"] = median([s for s, _, _ in every])
        row["reload_all_cpu_s"] = median([c for _, c, _ in every])
        row["reload_all_refresh"] = refresh_counts(every[-1][2])
        row["reload_all_notified_files_read"] = applied_during[-1]
        row["reload_runs"] = {"one": len(one), "all": len(every)}
        time.sleep(g["idle_s"])
        row["rss_after_reloads_kib"] = server.rss()
    finally:
        server.stop()
    return row
