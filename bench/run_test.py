#!/usr/bin/python3
"""Tests of the benchmark's own code: what it reads from the server's log,
how it pins and explains a peak, that the report carries no number the run
did not determine (report_test.py), that the profile summary refuses a
function it cannot find (profile_summary_test.py), what the scale
measurement writes, judges and reports (scale_test.py), and the reading of
callgrind's output (instruction_counts_test.py). (The measurements
themselves are the benchmark's; `run.py --quick` is their smoke test.)"""

import os
import random
import sys
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import analyse  # noqa: E402  bench/analyse.py
from measure import load, processes  # noqa: E402  bench/measure/
from instruction_counts_test import *  # noqa: E402,F401,F403
from profile_summary_test import *  # noqa: E402,F401,F403
from report_test import *  # noqa: E402,F401,F403
from scale_test import *  # noqa: E402,F401,F403
from targets import TARGETS  # noqa: E402

MARKER = b'"event":"audit"'


def count_through_pipe(data, chunk_sizes, buffer_bytes):
    """Writes `data` into a pipe in chunks of the given sizes (cycled) and
    returns what count_marker counted reading it with `buffer_bytes`."""
    read_fd, write_fd = os.pipe()

    def write():
        with os.fdopen(write_fd, "wb", buffering=0) as out:
            at, i = 0, 0
            while at < len(data):
                size = chunk_sizes[i % len(chunk_sizes)]
                out.write(data[at:at + size])
                at += size
                i += 1

    writer = threading.Thread(target=write)
    writer.start()
    counted = []
    with os.fdopen(read_fd, "rb", buffering=0) as pipe:
        processes.count_marker(pipe.fileno(), MARKER, counted.append, buffer_bytes)
    writer.join()
    return sum(counted)


class CountMarkerTest(unittest.TestCase):

    def log(self, audit_lines, other_lines):
        lines = ([b'{"level":"info","event":"audit","item":%d}\n' % i
                  for i in range(audit_lines)] +
                 [b'{"level":"info","event":"reload","ok":true}\n'] *
                 other_lines)
        random.Random(7).shuffle(lines)
        return b"".join(lines)

    def test_counts_each_audit_line_once_however_the_reads_split_it(self):
        data = self.log(audit_lines=500, other_lines=40)
        # Every split of the marker between two reads happens somewhere:
        # reads of 1 to 40 bytes, and buffers from one byte longer than the
        # marker (so each read brings at most one new byte) up.
        for buffer_bytes in (len(MARKER) + 1, len(MARKER) + 7, 64, 4096):
            for chunks in ([1], [3, 5], [17, 40, 2], [len(data)]):
                with self.subTest(buffer_bytes=buffer_bytes, chunks=chunks):
                    self.assertEqual(
                        count_through_pipe(data, chunks, buffer_bytes), 500)

    def test_markers_back_to_back_and_at_both_ends(self):
        data = MARKER * 9
        for buffer_bytes in (len(MARKER) + 1, 20, 1 << 20):
            self.assertEqual(count_through_pipe(data, [4], buffer_bytes), 9)

    def test_nothing_to_count(self):
        self.assertEqual(count_through_pipe(b"", [1], 64), 0)
        self.assertEqual(count_through_pipe(MARKER[:-1], [1], 64), 0)

    def test_refuses_a_buffer_that_cannot_hold_a_marker(self):
        with self.assertRaises(ValueError):
            processes.count_marker(0, MARKER, lambda n: None, len(MARKER))


class CpuAtPeakTest(unittest.TestCase):

    def round(self, throughput, server, client, reader=0.0, wall_s=2.0):
        """A load generator run of `wall_s` seconds at `throughput` calls
        a second, with the given CPU per call (µs)."""
        calls = throughput * wall_s
        return {"throughput": throughput, "calls": calls, "wall_s": wall_s,
                "server_cpu_us": server, "server_cpu_s": server * calls / 1e6,
                "client_cpu_us": client, "reader_cpu_us": reader}

    def test_uses_each_servers_best_concurrency(self):
        runs = {
            "noop": {16: [self.round(30000, 20, 30)] * 3,
                     256: [self.round(40000, 10, 15)] * 3},
            "real": {16: [self.round(25000, 30, 30, 1)] * 3,
                     256: [self.round(20000, 40, 30, 1)] * 3},
        }
        peak = {"noop": {16: 30000, 256: 40000},
                "real": {16: 25000, 256: 20000}}
        cores = os.cpu_count()
        got = load.cpu_at_peak(runs, peak)
        self.assertEqual(got["noop"]["concurrency"], 256)
        self.assertEqual(got["real"]["concurrency"], 16)
        self.assertEqual(got["real"]["server"], 30)
        self.assertEqual(got["real"]["reader"], 1)
        # CPU seconds per second over the cores: (10 + 15) µs × 40 k/s.
        self.assertAlmostEqual(got["noop"]["busy"], 1.0 / cores)
        self.assertAlmostEqual(got["real"]["busy"], 1.5 / cores)
        self.assertAlmostEqual(
            analyse.at_peak({"peak_cpu": got})["cpu_bound"], 25 / 60)

    def test_per_token(self):
        runs = {"noop": {16: [self.round(100, 200, 100)]},
                "real": {16: [self.round(50, 500, 150, 20)]}}
        peak = {"noop": {16: 10000}, "real": {16: 5000}}
        got = load.cpu_at_peak(runs, peak, per=100)
        self.assertEqual(got["real"]["server"], 5)
        self.assertEqual(got["real"]["client"], 1.5)
        self.assertAlmostEqual(got["real"]["reader"], 0.2)


class PinningTest(unittest.TestCase):

    def test_on_cpus(self):
        self.assertEqual(processes.on_cpus(None), [])
        self.assertEqual(processes.on_cpus({1, 0}),
                         ["taskset", "--cpu-list", "0,1"])

    def test_pins_every_thread_and_those_started_meanwhile_then_restores(self):
        before = os.sched_getaffinity(0)
        one = {min(before)}
        seen = []
        with processes.PinnedHere(one):
            self.assertEqual(os.sched_getaffinity(0), one)
            thread = threading.Thread(
                target=lambda: seen.append(os.sched_getaffinity(0)))
            thread.start()
            thread.join()
        self.assertEqual(seen, [one])
        self.assertEqual(os.sched_getaffinity(0), before)


if __name__ == "__main__":
    unittest.main()
