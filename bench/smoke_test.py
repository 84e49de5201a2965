#!/usr/bin/python3
"""A short run of the benchmark's own machinery against the built binaries:
the load generator (single calls and BatchMint), the no-op baseline server,
the real server in development mode, and bench/measure's log counting and CPU
pinning, as `bench/run.py` uses them. It checks what the benchmark relies
on (every call counted and OK, every token and audit line accounted for),
not how fast anything is. Needs `bazel build //bench:loadgen
//bench:noop_server //service:server` first; tests/run_all.sh runs it
after `bazel test //...`, which builds them."""

import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from measure import processes  # noqa: E402  bench/measure/
from measure.environment import BIN  # noqa: E402
from measure.load import loadgen  # noqa: E402
from measure.params import BATCH_SIZE  # noqa: E402

CALLS = 300
CHANNELS = 4
BATCHES = 20


class LoadGeneratorSmokeTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        for binary in ("bench/loadgen", "bench/noop_server", "service/server"):
            path = os.path.join(BIN, binary)
            if not os.access(path, os.X_OK):
                raise RuntimeError("%s is not built: run bazel build first"
                                   % path)

    def exercise(self, servers, cpus=None):
        for name, server in servers.items():
            with self.subTest(server=name):
                single = loadgen(server, 8, CHANNELS, requests=CALLS,
                                 cpus=cpus)
                self.assertEqual((single["calls"], single["ok"],
                                  single["failed"]), (CALLS, CALLS, 0))
                self.assertEqual(single["tokens"], CALLS)
                # 300 calls to the no-op server can take less than one
                # clock tick of CPU, so only the sign is checked here;
                # test_cpu_seconds_counts_a_busy_process checks the reading.
                self.assertGreaterEqual(single["server_cpu_s"], 0)
                batch = loadgen(server, 4, CHANNELS, requests=BATCHES,
                                batch=BATCH_SIZE, cpus=cpus)
                self.assertEqual((batch["calls"], batch["failed"],
                                  batch["items_failed"]), (BATCHES, 0, 0))
                self.assertEqual(batch["tokens"], BATCHES * BATCH_SIZE)

    def test_cpu_seconds_counts_a_busy_process(self):
        # A child spends 0.3 s of CPU, says so, and waits to be let go.
        child = subprocess.Popen(
            [sys.executable, "-c",
             "import time\nend = time.process_time() + 0.3\n"
             "while time.process_time() < end: pass\n"
             "print('spun', flush=True)\ninput()"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            self.assertEqual(child.stdout.readline().strip(), "spun")
            self.assertGreaterEqual(processes.cpu_seconds(child.pid), 0.25)
        finally:
            child.communicate("\n", timeout=10)

    def test_both_servers_answer_every_call_and_the_real_one_audits_each(self):
        servers = processes.start_servers()
        try:
            self.exercise(servers)
        finally:
            for server in servers.values():
                server.stop()  # flushes the log, read to its end
        # One line per single call; one per batch item and one per batch.
        self.assertEqual(servers["real"].audit_lines,
                         CALLS + BATCHES * (BATCH_SIZE + 1))
        self.assertEqual(servers["noop"].audit_lines, 0)

    def test_pinned_servers_and_load_generator(self):
        cores = sorted(os.sched_getaffinity(0))
        if len(cores) < 2:
            self.skipTest("one core: nothing to pin apart")
        with processes.PinnedHere(set(cores[1:])):
            servers = processes.start_servers({cores[0]})
            try:
                for server in servers.values():
                    with open("/proc/%d/status" % server.pid) as f:
                        allowed = [line.split()[1] for line in f
                                   if line.startswith("Cpus_allowed_list")]
                    self.assertEqual(allowed, [str(cores[0])])
                self.exercise(servers, cpus=set(cores[1:]))
            finally:
                for server in servers.values():
                    server.stop()


class ScaleSmokeTest(unittest.TestCase):
    """The scale measurement's machinery on a directory of a few accounts:
    its log reader sees `listening` and each reload's lines, a reload reads
    only what changed, and the load generator mints for every account it is
    given in turn."""

    ACCOUNTS = 5

    def test_a_small_directory(self):
        import random
        import tempfile
        from measure import scale
        rng = random.Random(5)
        with tempfile.TemporaryDirectory() as tmp:
            accounts = os.path.join(tmp, "accounts")
            os.mkdir(accounts)
            scale.grow(accounts, 0, self.ACCOUNTS, rng)
            config = os.path.join(tmp, "c.textproto")
            scale.write_config(config, accounts, "smoke")
            sids = os.path.join(tmp, "sids")
            scale.write_sids(sids, self.ACCOUNTS, 100, rng)
            server = scale.LoggedServer("smoke", config, None, 60)
            try:
                self.assertEqual(server.listening["accounts"], self.ACCOUNTS)
                scale.write_token(os.path.join(accounts, scale.sid(2),
                                               "auth_token"), rng)
                _, _, refreshed = server.reload(60)
                self.assertEqual(refreshed["files_read"], 1)
                self.assertEqual(refreshed["changed"], 1)
                r = loadgen(server, 4, CHANNELS, requests=CALLS,
                            extra=["--account_sids_file=" + sids])
                self.assertEqual((r["calls"], r["ok"], r["failed"]),
                                 (CALLS, CALLS, 0))
                # An account the directory does not have is refused.
                with open(sids, "a") as f:
                    f.write(scale.sid(self.ACCOUNTS) + "\n")
                r = loadgen(server, 1, 1, requests=self.ACCOUNTS + 1,
                            extra=["--account_sids_file=" + sids])
                self.assertEqual((r["ok"], r["failed"]), (self.ACCOUNTS, 1))
            finally:
                server.stop()
        self.assertEqual(server.audit_lines, CALLS + self.ACCOUNTS + 1)


if __name__ == "__main__":
    unittest.main()
