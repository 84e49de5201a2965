"""The report carries no number that the run did not determine: rendered
from synthetic results, and again from copies with every measured value
changed, each number that stays the same must be one the results hold
fixed (the run's parameters and counts) or a target (bench/targets.py).
A figure written into the report's text, a historical one say, stays the
same whatever the run measured, and fails this test. (run_test.py runs it.)
"""

import copy
import os
import random
import re
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import analyse  # noqa: E402  bench/analyse.py
import profile_summary  # noqa: E402
import report  # noqa: E402  bench/report.py
from measure.params import params  # noqa: E402
from targets import TARGETS  # noqa: E402

# A number, not part of a word (p99, SHA-256, base64url) or a version's
# tail (the 1 of 6.3.1 is read with 6.3, from the same string).
NUMBER = re.compile(r"(?<![\w.\-/])\d[\d,]*(?:\.\d+)?(?![\w])|"
                    r"(?<=[\s(+~])-?\d[\d,]*(?:\.\d+)?(?![\w])")
CODE = re.compile(r"`[^`]*`")


def numbers(text):
    """The numbers of `text` as written, code spans left out."""
    return [m.group(0).lstrip("-") for m in
            NUMBER.finditer(CODE.sub("", text))]


def skeleton(text):
    return NUMBER.sub("#", CODE.sub("", text))


# Paths (tuples of keys; "*" any) whose values the synthetic runs hold
# fixed: the run's parameters and set-up, not measurements.
FIXED = [("params",), ("quick",), ("machine", "cpu"), ("machine", "cores"),
         ("machine", "sha_ni"), ("machine", "memory_gib"),
         ("machine", "kernel"), ("machine", "date"), ("machine", "packages"),
         ("pinned", "server_cpu"), ("pinned", "client_cpus"),
         ("pinned", "concurrency"), ("pinned", "batch_size"),
         ("grpc", "peak_cpu", "*", "concurrency"),
         ("grpc", "batch", "peak_cpu", "*", "concurrency"),
         ("grpc", "batch", "batch_size"), ("memory", "points", "*", 0),
         ("scale", "server_cpu"), ("scale", "client_cpus"),
         ("scale", "rows", "*", "accounts"),
         ("scale", "rows", "*", "generated"),
         ("scale", "rows", "*", "sampled_accounts"),
         ("scale", "rows", "*", "reload_runs"),
         ("scale", "in_process_params")]


def fixed(path):
    for f in FIXED:
        if len(path) >= len(f) and all(
                a == "*" or a == b for a, b in zip(f, path)):
            return True
    return False


def synthetic_results():
    """A full run's results with values chosen so that every target is
    missed (every explanation renders) by a margin no perturbation below
    closes."""
    rng = random.Random(15)

    def v(low, high):
        return rng.uniform(low, high)

    p = params(quick=False)
    # No parameter equal to this machine's core count or to 2, so a count
    # taken from the machine the report is rendered on shows up.
    p["batch"]["latency_runs"] = 3
    p["signing_profile"]["min_time_s"] = 2.5
    rates = {}
    for a in ("0", "1"):
        rates["BM_RawHmacSha256/" + a] = v(3e6, 4e6)
        rates["BM_SignCapability/" + a] = v(5.5e5, 6.5e5)
        rates["BM_VerifyCapability/" + a] = v(4e5, 5e5)
        rates["BM_OneShotLibraryHmac/" + a] = v(1e5, 2e5)
        for k in range(3):
            rates["BM_RawHmacKind/%d/%s" % (k, a)] = v(3e6, 4e6)
            rates["BM_SignKind/%d/%s" % (k, a)] = v(5.5e5, 6.5e5)
            rates["BM_VerifyKind/%d/%s" % (k, a)] = v(4e5, 5e5)
    for stage in analyse.VERIFY_STAGES:
        rates[stage[1]] = v(2e6, 6e6)
    for n in (1, 3, 9, 27):
        rates["BM_SignWithParams/%d" % n] = v(1.5e5, 2.5e5)
    for n in (1, 5, 25):
        rates["BM_SignWithScopes/%d" % n] = v(1.5e5, 2.5e5)
    token = "header.payload.signature"

    def rss():
        return {"noop": v(2e4, 3e4), "real": v(2e4, 3e4)}

    def profile(parts):
        return {"samples": rng.randint(1500, 2500),
                "parts": [[label, v(5, 30)] for label, _ in parts],
                "kernel_pct": v(10, 20), "malloc_pct": v(5, 10),
                "top_self": [["symbol_%d" % i, v(1, 5)] for i in range(5)]}

    def suite(batch):
        cs = p["concurrencies"]
        peak = {n: {str(c): v(2e5, 3e5) if batch else v(3e4, 6e4)
                    for c in cs} for n in ("noop", "real")}
        out = {
            "rss_before": rss(), "rss_during": rss(), "rss_after": rss(),
            "failed": rng.randint(3, 9), "calls": rng.randint(10**5, 10**6),
            "peak": peak,
            "peak_ratio": {str(c): v(0.4, 0.5) for c in cs},
            "peak_ratio_range": {str(c): [v(0.3, 0.4), v(0.5, 0.6)]
                                 for c in cs},
            "peak_cpu": {n: {"concurrency": c, "server": v(20, 40),
                             "client": v(20, 40), "reader": v(1, 3),
                             "busy": v(0.6, 0.7)}
                         for n, c in (("noop", 256), ("real", 16))},
            "cpu_rate": v(1e4, 2e4),
            "latency": {n: {analyse.lkey(c, load): {
                "rate": v(2e4, 4e4), "throughput": v(2e4, 4e4),
                "p50": v(100, 300), "p99": v(3000, 5000),
                "p999": v(6000, 9000), "waited": rng.randint(10, 999)}
                for c in cs for load in p["loads"]}
                for n in ("noop", "real")},
        }
        if batch:
            out.update({
                "batch_size": p["batch_size"],
                "items_failed": rng.randint(3, 9),
                "tokens": rng.randint(10**7, 10**8),
                "real_lines_due": rng.randint(2 * 10**7, 3 * 10**7),
                "audit_lines": rng.randint(10**6, 10**7),
                "peak_calls": {n: {str(c): v(2e3, 3e3) for c in cs}
                               for n in ("noop", "real")},
                "cpu_us_per_token": {"noop": v(1, 2), "real": v(8, 9)},
                "client_cpu_us_per_token": {"noop": v(1, 2),
                                            "real": v(1, 2)},
                "profile": profile(profile_summary.BATCH_PARTS)})
            for lat in out["latency"].values():
                for case in lat.values():
                    case["tokens_throughput"] = v(1e5, 2e5)
                    case["rate"] = v(1e3, 3e3)
                    case["throughput"] = v(1e3, 3e3)
        else:
            out.update({
                "cpu_us_per_call": {"noop": v(30, 40), "real": v(45, 60)},
                "client_cpu_us_per_call": {"noop": v(30, 40),
                                           "real": v(30, 40)},
                "profile": profile(profile_summary.PARTS),
                "audit_lines": rng.randint(10**5, 10**6)})
        return out

    grpc = suite(batch=False)
    grpc["batch"] = suite(batch=True)
    first = TARGETS["memory_growth"]["after"]
    points = [[0, v(2e4, 2.2e4)], [first, v(2.3e4, 2.4e4)]]
    points += [[first + i * 330000, v(4e4, 5e4)] for i in (1, 2, 3)]
    return {
        "quick": False, "params": p,
        "machine": {"cpu": "Synthetic CPU 9Z99", "cores": 7, "sha_ni": True,
                    "memory_gib": 61, "kernel": "9.8.7-synthetic",
                    "load": v(0.5, 3), "date": "2031-03-04 05:06 UTC",
                    "packages": {"gcc": "4:13.1.0-1", "libgrpc++-dev":
                                 "1.77.3-1"}},
        "rates": rates,
        "context": {"typical_token_twilio-node": token,
                    "typical_token_twilio-python": token},
        "signing_profile": [[label, v(3, 30)] for label, *_ in
                            profile_summary.SIGNING_PARTS] +
                           [["everything else", v(20, 40)]],
        "peers": {
            "node": {"twilio": "7.8.9", "jsonwebtoken": "3.4.5",
                     "node": "v41.5.6", "token": token,
                     "tokens_per_cpu_second": v(2e4, 3e4)},
            "pyjwt": {"pyjwt": "8.7.6", "python": "4.13.1",
                      "twilio_python": {"tokens_per_cpu_second": v(2e5, 3e5),
                                        "token": token},
                      "encode_only": {"tokens_per_cpu_second": v(3e5, 4e5),
                                      "token": token}}},
        "ours": [v(5.5e5, 6.5e5), v(5.5e5, 6.5e5)],
        "startup_s": v(0.1, 0.3), "idle_rss": v(2e4, 3e4),
        "grpc": grpc,
        "pinned": {"server_cpu": 0, "client_cpus": [1, 3], "concurrency": 16,
                   "batch_size": p["batch_size"], "failed": 4,
                   "noop": {"tokens_per_s": v(2e6, 3e6), "busy": v(0.8, 0.9),
                            "per_cpu_second": v(2e6, 3e6)},
                   "real": {"tokens_per_s": v(1.5e5, 1.8e5),
                            "busy": v(0.9, 0.95),
                            "per_cpu_second": v(1.6e5, 1.9e5)}},
        "memory": {"points": points, "rss_max": v(5e4, 6e4),
                   "failed": 5, "total": first + 3 * 330000,
                   "audit_lines": first + 3 * 330000 - 7},
        "elapsed_s": v(700, 800),
        "scale": synthetic_scale(p, v),
    }


def synthetic_scale(p, v):
    """Scale results for the full run's counts, missing every target; every
    time 1.5 s or more, so no perturbation moves one across a unit."""
    g = p["scale"]
    rows = []
    for n in g["counts"]:
        k = max(1.0, n / 1e5)
        refresh = {"accounts": n, "files_read": 3, "added": 0, "changed": 3,
                   "removed": 0, "broken": 0}
        row = {"accounts": n, "generated": n, "generate_s": k * v(1.5, 3),
               "startup_s": 40 * k * v(1.5, 3),
               "startup_cpu_s": 20 * k * v(1.5, 3),
               "listening_accounts": n,
               "rss_kib": 2e4 + n * v(2.0, 2.5) + v(1e3, 2e3),
               "reload_one_s": k * v(1.5, 3),
               "reload_one_cpu_s": k * v(1.5, 3),
               "reload_one_refresh": refresh,
               "rewrite_all_s": k * v(1.5, 3),
               "reload_all_s": k * v(1.5, 3),
               "reload_all_cpu_s": k * v(1.5, 3),
               "reload_all_refresh": dict(refresh, files_read=n + 2),
               "reload_runs": {"one": 3, "all": 1},
               "rss_after_reloads_kib": 3e4 + n * v(3.0, 3.5)}
        if n > 1:
            row.update({"sampled_accounts": min(n, g["sample_accounts"]),
                        "mint_cpu_us": {"one": v(100, 120),
                                        "many": v(130, 150)},
                        "mint_ratio": v(1.2, 1.3),
                        "mint_ratio_range": [v(1.1, 1.2), v(1.3, 1.4)]})
        rows.append(row)
    # Minting in process: the largest count well over the one-account
    # figure (JSON keys are strings).
    in_process = {str(n): v(1.4, 1.6) * (1.0 if n < 1000 else 1.6)
                  for n in [1] + [n for n in g["counts"] if n > 1]}
    return {"tmpfs": "/dev/shm", "server_cpu": 0, "client_cpus": [1, 3],
            "rows": rows, "skipped_counts": {}, "failed": 5,
            "calls": 123456, "load_before": v(0.5, 3),
            "load_after": v(0.5, 3), "in_process": in_process,
            "in_process_params": {"repetitions": 7, "min_time_s": 0.3}}


def perturbed(results, rng):
    """A copy with every measured number changed by its own factor."""
    def walk(value, path):
        if fixed(path) or isinstance(value, (bool, str)):
            return value
        if isinstance(value, dict):
            return {k: walk(x, path + (k,)) for k, x in value.items()}
        if isinstance(value, list):
            return [walk(x, path + (i,)) for i, x in enumerate(value)]
        factor = rng.uniform(1.15, 1.6)
        if isinstance(value, int):
            return max(value + 1, round(value * factor))
        return value * factor
    return walk(copy.deepcopy(results), ())


def held_fixed(results):
    """The numbers the synthetic runs share: fixed values, the numbers in
    strings, and the targets."""
    out = []

    def walk(value, path):
        if isinstance(value, bool):
            return
        if isinstance(value, str):  # a version, a benchmark's name
            out.extend(float(n) for n in re.findall(r"\d+(?:\.\d+)?",
                                                     value))
        elif isinstance(value, dict):
            for k, x in value.items():
                walk(k, path)
                walk(x, path + (k,))
        elif isinstance(value, list):
            for i, x in enumerate(value):
                walk(x, path + (i,))
        elif fixed(path):
            out.append(float(value))
    walk(results, ())
    walk(TARGETS, ("params",))  # all of it fixed
    # And what follows from them alone: the server CPU per token the
    # BatchMint target allows.
    out.append(1e6 / TARGETS["batch_per_server_cpu_s"]["at_least"])
    return out


def explained(token, sources):
    """Whether the number `token` (as written) is one of `sources` in one
    of the units the report writes it in."""
    value = float(token.replace(",", ""))
    digits = len(token.split(".")[1]) if "." in token else 0
    for s in sources:
        for scale in (1, 100, 1e-3, 1e3, 1e-6):
            if round(s * scale, digits) == value:
                return True
    return False


class ReportNumbersTest(unittest.TestCase):

    def render(self, results):
        return report.markdown(analyse.normalize(results))

    def test_every_number_that_does_not_follow_the_results_is_fixed(self):
        base = synthetic_results()
        text = self.render(base)
        rng = random.Random(4)
        others = []
        for _ in range(200):
            if len(others) == 3:
                break
            other = self.render(perturbed(base, rng))
            # Same sentences and rows (no verdict or unit changed), so the
            # numbers line up one to one.
            if skeleton(other) == skeleton(text):
                others.append(numbers(other))
        self.assertEqual(len(others), 3, "perturbations change the report's "
                         "sentences: move the synthetic values from the "
                         "verdicts' and units' thresholds")
        mine = numbers(text)
        self.assertGreater(len(mine), 500)
        sources = held_fixed(base)
        unexplained = []
        for i, token in enumerate(mine):
            if all(o[i] == token for o in others) and not explained(
                    token, sources):
                unexplained.append(token)
        self.assertEqual(unexplained, [], "numbers in the report that no "
                         "measurement, parameter or target determines")

    def test_a_hard_coded_figure_is_caught(self):
        # The check above, on a report with a figure typed into its text.
        base = synthetic_results()
        original = report.startup_section
        report.startup_section = lambda r: (
            original(r) + "\nThe previous release started in 83 ms.\n")
        try:
            text = self.render(base)
            other = self.render(perturbed(base, random.Random(4)))
        finally:
            report.startup_section = original
        i = numbers(text).index("83")
        self.assertEqual(skeleton(text), skeleton(other))
        self.assertEqual(numbers(other)[i], "83")
        self.assertFalse(explained("83", held_fixed(base)))

    def test_the_cores_are_the_runs_not_this_machines(self):
        text = self.render(synthetic_results())
        self.assertIn("7 cores", text)
        self.assertNotIn("%d cores" % os.cpu_count(), text)

    def test_writes_the_report_only(self):
        with tempfile.TemporaryDirectory() as tmp:
            report.render(synthetic_results(),
                          os.path.join(tmp, "performance.md"), plots=False)
            self.assertEqual(os.listdir(tmp), ["performance.md"])

    def test_batch_target_is_per_second_of_server_cpu(self):
        results = analyse.normalize(synthetic_results())
        a = analyse.analyse(results)
        (v,) = [v for v in a["verdicts"]
                if v["key"] == "batch_per_server_cpu_s"]
        self.assertEqual(v["value"],
                         results["pinned"]["real"]["per_cpu_second"])
        self.assertFalse(v["met"])
        text = report.markdown(results)
        self.assertIn("Server: BatchMint ≥ 400,000 tokens per second of "
                      "server CPU, the server on a core of its own", text)
        # What the target leaves for captoken's own work: 2.5 µs less the
        # no-op server's CPU per token on its core.
        self.assertIn("%.2f µs per token, where it spent %.2f µs" % (
            2.5 - 1e6 / results["pinned"]["noop"]["per_cpu_second"],
            1e6 / results["pinned"]["real"]["per_cpu_second"] -
            1e6 / results["pinned"]["noop"]["per_cpu_second"]), text)

    def test_in_process_minting_at_scale(self):
        results = analyse.normalize(synthetic_results())
        a = analyse.analyse(results)
        inp = results["scale"]["in_process"]
        (v,) = [v for v in a["verdicts"]
                if v["key"] == "scale_mint_in_process_vs_one"]
        self.assertAlmostEqual(v["value"], inp["1000000"] / inp["1"])
        self.assertEqual(v["accounts"], 1000000)
        self.assertFalse(v["met"])
        text = report.markdown(results)
        self.assertIn("### MintCapabilityToken in process", text)
        self.assertIn("| 1,000,000 | %.2f µs |" % inp["1000000"], text)

    def test_pinned_rows(self):
        results = analyse.normalize(synthetic_results())
        results["pinned"]["noop"] = {"tokens_per_s": 800000, "busy": 0.8,
                                     "per_cpu_second": 1e6}
        text = report.pinned_section(results)
        self.assertIn("| no-op | 800 k tokens/s | 80% | 1.00 M tokens/s |",
                      text)
        self.assertIn("on cores 1, 3", text)


if __name__ == "__main__":
    unittest.main()
