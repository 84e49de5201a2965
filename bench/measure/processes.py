"""The processes a measurement runs and watches: servers on free loopback
ports, their CPU and resident memory, the log they write, and CPU pinning.
"""

import fcntl
import os
import re
import subprocess
import threading
import time

from measure.environment import BIN, REPO

# The server log pipe's size, and its reader's buffer (Linux's default
# /proc/sys/fs/pipe-max-size).
PIPE_BYTES = 1 << 20


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


def stop_process(proc, reader, timeout_s):
    """SIGTERM, then SIGKILL after `timeout_s`; then the thread reading its
    stderr ends and the pipe is closed."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    reader.join(timeout=10)
    proc.stderr.close()


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
        self.binary = argv[0]
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
        stop_process(self.proc, self._drain, timeout_s=30)


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


REAL_SERVER = os.path.join(BIN, "service/server")
NOOP_SERVER = os.path.join(BIN, "bench/noop_server")


def real_server(cpus=None):
    return Server("real", [REAL_SERVER, "--listen=127.0.0.1:0"], cpus)


def start_servers(cpus=None):
    """The no-op baseline and the real server, each on a free port (on
    `cpus` only, if given)."""
    servers = {
        "noop": Server("noop", [NOOP_SERVER, "--listen=127.0.0.1:0"], cpus),
        "real": real_server(cpus),
    }
    time.sleep(1.0)
    return servers


def pair_order(round_index):
    """Which server goes first in a round: they alternate, so neither
    always runs in the machine's quieter or busier moment."""
    return ["noop", "real"] if round_index % 2 == 0 else ["real", "noop"]
