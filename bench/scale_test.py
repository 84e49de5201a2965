"""Tests of the scale measurement's own code (bench/measure/scale.py) and
of its analysis and report (bench/analyse.py, bench/report.py): the
directory it writes, what it judges at which count, and what the report
says when the largest count is not the targets'. No duration is measured
or asserted here; `run.py --only=scale --quick` is the smoke test. (run_test.py
runs these.)"""

import os
import random
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import analyse  # noqa: E402  bench/analyse.py
import report  # noqa: E402  bench/report.py
from measure import scale  # noqa: E402  bench/measure/scale.py
from measure.params import params  # noqa: E402
from targets import TARGETS  # noqa: E402


class DirectoryTest(unittest.TestCase):

    def test_grows_the_documented_layout(self):
        with tempfile.TemporaryDirectory() as tmp:
            rng = random.Random(1)
            scale.grow(tmp, 0, 3, rng)
            scale.grow(tmp, 3, 5, rng)
            self.assertEqual(sorted(os.listdir(tmp)),
                             [scale.sid(i) for i in range(5)])
            for i in range(5):
                d = os.path.join(tmp, scale.sid(i))
                self.assertEqual(os.listdir(d), ["auth_token"])
                with open(os.path.join(d, "auth_token"), "rb") as f:
                    token = f.read()
                self.assertEqual(len(token), scale.AUTH_TOKEN_BYTES + 1)
                self.assertTrue(token.endswith(b"\n"))
                # A secret file only its owner reads.
                self.assertEqual(os.stat(os.path.join(d, "auth_token"))
                                 .st_mode & 0o077, 0)

    def test_sids_are_account_sids(self):
        self.assertRegex(scale.sid(0), r"^AC[0-9a-f]{32}$")
        self.assertRegex(scale.sid(999999), r"^AC[0-9a-f]{32}$")
        self.assertNotEqual(scale.sid(1), scale.sid(2))

    def test_a_changed_token_is_a_new_file_with_new_content(self):
        with tempfile.TemporaryDirectory() as tmp:
            rng = random.Random(2)
            scale.grow(tmp, 0, 1, rng)
            path = os.path.join(tmp, scale.sid(0), "auth_token")
            before = os.stat(path)
            with open(path, "rb") as f:
                old = f.read()
            scale.write_token(path, rng)
            with open(path, "rb") as f:
                new = f.read()
            self.assertNotEqual(os.stat(path).st_ino, before.st_ino)
            self.assertNotEqual(new, old)
            self.assertEqual(os.listdir(os.path.dirname(path)),
                             ["auth_token"])

    def test_the_load_generator_gets_distinct_accounts_of_the_directory(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "sids")
            scale.write_sids(path, 1000, 64, random.Random(3))
            with open(path) as f:
                sids = f.read().split()
            self.assertEqual(len(sids), 64)
            self.assertEqual(len(set(sids)), 64)
            self.assertTrue(set(sids) <= {scale.sid(i) for i in range(1000)})
            scale.write_sids(path, 5, 64, random.Random(3))
            with open(path) as f:
                self.assertEqual(sorted(f.read().split()),
                                 [scale.sid(i) for i in range(5)])

    def test_config_names_the_directory_and_turns_the_watcher_off(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "c.textproto")
            scale.write_config(path, "/dev/shm/x/accounts", "scale")
            with open(path) as f:
                text = f.read()
        self.assertIn('account_directories { path: "/dev/shm/x/accounts" '
                      'name: "scale" }', text)
        self.assertIn("secret_watch_interval { seconds: 0 }", text)
        self.assertIn('listen_address: "127.0.0.1:0"', text)

    def test_leaves_out_the_counts_that_do_not_fit(self):
        original = scale.mem_available_bytes
        scale.mem_available_bytes = lambda: (
            200000 * scale.BYTES_PER_ACCOUNT_ESTIMATE)
        try:
            kept, skipped = scale.fitting_counts([1, 1000, 100000, 1000000],
                                                 "/")
        finally:
            scale.mem_available_bytes = original
        self.assertEqual(kept[:2], [1, 1000])
        self.assertNotIn(1000000, kept)
        self.assertIn("1000000", skipped)

    def test_quick_counts_are_fewer(self):
        self.assertLess(max(params(True)["scale"]["counts"]),
                        TARGETS["scale_startup"]["accounts"])
        self.assertEqual(max(params(False)["scale"]["counts"]),
                         TARGETS["scale_startup"]["accounts"])


def row(n, rss_kib, startup_s=1.0, reload_one_s=0.01, ratio=1.0):
    r = {"accounts": n, "rss_kib": rss_kib, "startup_s": startup_s,
         "startup_cpu_s": startup_s / 2, "reload_one_s": reload_one_s,
         "reload_one_cpu_s": reload_one_s / 2,
         "rss_after_reloads_kib": rss_kib,
         "reload_one_refresh": {"files_read": 1}}
    if n > 1:
        r.update({"mint_ratio": ratio, "mint_ratio_range": [ratio, ratio],
                  "mint_cpu_us": {"one": 100.0, "many": 100.0 * ratio}})
    return r


class ScaleAnalysisTest(unittest.TestCase):

    def verdicts(self, rows):
        a = {"scale": analyse.scale({"rows": rows})}
        return a, {v["key"]: v for v in analyse.scale_verdicts(a)}

    def test_memory_per_account_is_over_the_one_account_server(self):
        a, _ = self.verdicts([row(1, 20000), row(1000, 21000),
                              row(1000000, 20000 + 500000)])
        per = [r.get("rss_per_account_bytes") for r in a["scale"]["rows"]]
        self.assertIsNone(per[0])
        self.assertAlmostEqual(per[1], 1024 * 1000 / 1000)
        self.assertAlmostEqual(per[2], 512)

    def test_judged_at_the_largest_count(self):
        _, v = self.verdicts([
            row(1, 20000),
            row(1000000, 20000 + 2 * 1000000, startup_s=45,
                reload_one_s=0.05, ratio=1.02),
            row(1000, 21000, startup_s=0.1, reload_one_s=5, ratio=2.0)])
        self.assertTrue(v["scale_mint_vs_one"]["met"])
        self.assertFalse(v["scale_rss_per_account"]["met"])
        self.assertAlmostEqual(v["scale_rss_per_account"]["over"], 1.0)
        self.assertTrue(v["scale_reload_one"]["met"])
        self.assertFalse(v["scale_startup"]["met"])
        self.assertAlmostEqual(v["scale_startup"]["over"],
                               45 / TARGETS["scale_startup"]["at_most_s"] - 1)
        for verdict in v.values():
            self.assertFalse(verdict["undecided"])
            self.assertEqual(verdict["accounts"], 1000000)

    def test_fewer_accounts_than_the_targets_decides_nothing(self):
        a, v = self.verdicts([row(1, 20000), row(10000, 20000 + 20000)])
        self.assertTrue(all(x["undecided"] for x in v.values()))
        rows = report.verdict_rows(
            dict(a, verdicts=list(v.values())), {})
        for target, measured, verdict in rows:
            self.assertIn("10,000 accounts", measured)
            self.assertTrue(verdict.startswith("not decided"), verdict)
            self.assertNotIn("**missed**", verdict)

    def test_no_rows_no_verdicts(self):
        self.assertEqual(analyse.scale_verdicts({}), [])


class ScaleReportTest(unittest.TestCase):

    def results(self):
        from report_test import synthetic_results
        return analyse.normalize(synthetic_results())

    def test_a_separate_run_says_so_with_its_own_date(self):
        results = self.results()
        results["scale"].update({
            "separate": True, "quick": False, "elapsed_s": 612.0,
            "params": params(False)["scale"],
            "machine": dict(results["machine"], date="2032-01-02 03:04 UTC")})
        text = report.markdown(results)
        self.assertIn("--only=scale` on 2032-01-02 03:04 UTC", text)
        self.assertIn("it took 612 s", text)
        # The page's opening no longer claims one run for every figure.
        self.assertIn("the scale section in a run of its own", text)

    def test_a_skipped_run_is_reported_not_rendered(self):
        results = self.results()
        results["scale"] = {"skipped": "no writable tmpfs"}
        text = report.markdown(results)
        self.assertIn("Not measured: no writable tmpfs.", text)
        self.assertNotIn("Scale: start-up", text)

    def test_a_count_left_out_is_named(self):
        results = self.results()
        results["scale"]["skipped_counts"] = {
            "1000000": "needs about 11718 MiB, 9000 MiB free"}
        self.assertIn("Left out: 1,000,000 accounts (needs about 11718 MiB, "
                      "9000 MiB free).", report.markdown(results))

    def test_a_raised_watch_limit_is_stated(self):
        results = self.results()
        results["scale"]["max_user_watches"] = {
            "before": 192540, "during": 1065536, "raised": True}
        self.assertIn("this run raised `fs.inotify.max_user_watches` from "
                      "192,540 to 1,065,536", report.markdown(results))

    def test_a_change_applied_through_sighup_is_marked(self):
        results = self.results()
        results["scale"]["rows"][-1]["reload_one_by"] = "SIGHUP"
        text = report.markdown(results)
        self.assertIn("(SIGHUP)", text)


class WatchLimitTest(unittest.TestCase):

    def test_a_limit_already_enough_is_left_alone(self):
        before = scale.read_max_user_watches()
        if before is None:
            self.skipTest("no inotify limit to read")
        state = scale.raise_max_user_watches(before)
        self.assertFalse(state["raised"])
        self.assertEqual(state["why"], "already enough")
        scale.restore_max_user_watches(state)
        self.assertEqual(scale.read_max_user_watches(), before)


if __name__ == "__main__":
    unittest.main()
