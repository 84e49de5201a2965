"""Analysing: the figures the report shows that are not raw measurements
(ratios, differences, fits, shares) and each target's verdict, computed
from a run's results alone (docs/performance.json) and bench/targets.py.
Pure functions: no measuring, no prose."""

import copy

from targets import TARGETS

PROFILES = (("0", "twilio-python"), ("1", "twilio-node"))
KINDS = ("client_incoming", "client_outgoing", "event_stream")
VERIFY_STAGES = (
    ("split and check the MAC", "BM_VerifyStage1_SplitAndMac"),
    ("decode the payload (base64url)", "BM_VerifyStage2_DecodePayload"),
    ("read the claims (simple-object JSON reader)",
     "BM_VerifyStage3_ParseJson"),
    ("parse the scope claim", "BM_VerifyStage4_ParseScopes"),
)


def counts(rates, name):
    """The arguments `name` ran with ("BM_SignWithParams/8": 8), in order."""
    return sorted(int(key.rsplit("/", 1)[1]) for key in rates
                  if key.startswith(name + "/"))


def lkey(concurrency, load):
    """The key of a latency case: "16@50%"."""
    return "%d@%.0f%%" % (concurrency, 100 * load)


def normalize(results):
    """A copy of `results` with the concurrencies as ints again (JSON made
    them strings)."""
    r = copy.deepcopy(results)

    def ints(d):
        return {int(c): v for c, v in d.items()}

    for suite in (r["grpc"], r["grpc"].get("batch")):
        if not suite:
            continue
        for key in ("peak", "peak_calls"):
            if key in suite:
                suite[key] = {n: ints(d) for n, d in suite[key].items()}
        for key in ("peak_ratio", "peak_ratio_range"):
            suite[key] = ints(suite[key])
    return r


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


def library(rates):
    typical = []
    for arg, profile in PROFILES:
        raw = rates["BM_RawHmacSha256/" + arg]
        sign = rates["BM_SignCapability/" + arg]
        verify = rates["BM_VerifyCapability/" + arg]
        typical.append({"profile": profile, "raw": raw, "sign": sign,
                        "verify": verify,
                        "oneshot": rates["BM_OneShotLibraryHmac/" + arg],
                        "sign_ratio": sign / raw,
                        "verify_ratio": verify / raw})
    kinds = []
    for k, kind in enumerate(KINDS):
        for arg, profile in PROFILES:
            raw = rates["BM_RawHmacKind/%d/%s" % (k, arg)]
            sign = rates["BM_SignKind/%d/%s" % (k, arg)]
            verify = rates["BM_VerifyKind/%d/%s" % (k, arg)]
            kinds.append({"kind": kind, "profile": profile, "raw": raw,
                          "sign": sign, "verify": verify,
                          "sign_ratio": sign / raw,
                          "verify_ratio": verify / raw})
    verify_ns = 1e9 / rates["BM_VerifyCapability/1"]
    stages = [{"label": label, "ns": 1e9 / rates[name],
               "share": 1e9 / rates[name] / verify_ns}
              for label, name in VERIFY_STAGES]
    growth = {}
    for what, name in (("params", "BM_SignWithParams"),
                       ("scopes", "BM_SignWithScopes")):
        rows = [{"n": n, "rate": rates["%s/%d" % (name, n)],
                 "us": 1e6 / rates["%s/%d" % (name, n)]}
                for n in counts(rates, name)]
        a, b, r2 = linear_fit([r["n"] for r in rows],
                              [1e3 * r["us"] for r in rows])
        growth[what] = {"rows": rows, "fixed_ns": a, "per_ns": b, "r2": r2}
    target = TARGETS["sign_vs_hmac"]["at_least"]
    return {"typical": typical, "kinds": kinds, "verify_ns": verify_ns,
            "stages": stages, "growth": growth,
            "kinds_sign_below": ["%s %s" % (k["kind"], k["profile"])
                                 for k in kinds if k["sign_ratio"] < target]}


def peers(results):
    ours_runs = results["ours"]
    ours = sum(ours_runs) / len(ours_runs)
    context = results["context"]
    our_node = context.get("typical_token_twilio-node", "")
    our_python = context.get("typical_token_twilio-python", "")
    out = {"ours": ours, "ours_runs": ours_runs}
    node = results["peers"].get("node", {})
    if "tokens_per_cpu_second" in node:
        out["node"] = {"rate": node["tokens_per_cpu_second"],
                       "ratio": ours / node["tokens_per_cpu_second"],
                       "same_bytes": node.get("token") == our_node}
    py = results["peers"].get("pyjwt", {})
    if "twilio_python" in py:
        tp, enc = py["twilio_python"], py["encode_only"]
        out["pyjwt"] = {"rate": tp["tokens_per_cpu_second"],
                        "ratio": ours / tp["tokens_per_cpu_second"],
                        "same_claims": same_claims(tp["token"], our_python)}
        out["pyjwt_encode"] = {
            "rate": enc["tokens_per_cpu_second"],
            "ratio": ours / enc["tokens_per_cpu_second"],
            "same_bytes": enc.get("token") == our_node}
    return out


def same_claims(token_a, token_b):
    import base64
    import json

    def claims(token):
        payload = token.split(".")[1]
        payload += "=" * (-len(payload) % 4)
        return json.loads(base64.urlsafe_b64decode(payload))
    try:
        return claims(token_a) == claims(token_b)
    except (IndexError, ValueError):
        return False


def peak_totals(at_peak):
    """Server plus load generator CPU per call (or token), by server."""
    return {n: v["server"] + v["client"] for n, v in at_peak.items()}


def at_peak(suite):
    """What the CPU at each server's peak says about the peak ratio."""
    cpu = suite["peak_cpu"]
    total = peak_totals(cpu)
    estimate = total["noop"] / total["real"]
    busy = cpu["real"]["busy"] / cpu["noop"]["busy"]
    return {"total": total, "cpu_bound": estimate, "busy_ratio": busy,
            "predicted": estimate * busy}


def parts_by_key(profile, keys):
    """A profile's shares by short name (profile_summary's KEYS)."""
    if not profile or not profile.get("samples"):
        return None
    by_label = {label.strip(): pct for label, pct in profile["parts"]}
    return {key: by_label[label.strip()] for key, label in keys.items()}


def grpc(g):
    import profile_summary
    noop_peak = max(g["peak"]["noop"].values())
    real_peak = max(g["peak"]["real"].values())
    best = max(g["peak"]["noop"], key=g["peak"]["noop"].get)
    cpu = g["cpu_us_per_call"]
    out = {"noop_peak": noop_peak, "real_peak": real_peak,
           "best_ratio": real_peak / noop_peak,
           "best_noop_concurrency": best,
           "paired_at_best": g["peak_ratio"][best],
           "own_cpu_us": cpu["real"] - cpu["noop"],
           "own_cpu_share": (cpu["real"] - cpu["noop"]) / cpu["noop"],
           "at_peak": at_peak(g),
           "parts": parts_by_key(g.get("profile"), profile_summary.KEYS)}
    # The verdict takes the lower of the two ways to compare the peaks:
    # the best medians, and the paired rounds at the no-op server's best
    # concurrency (which the machine's drift during a run affects less).
    out["peak_ratio"] = min(out["best_ratio"], out["paired_at_best"])
    if out["parts"]:
        out["own_share"] = out["parts"]["handler"] + out["parts"]["writer"]
    return out


def batch(b, cores, pinned):
    import profile_summary
    noop_peak = max(b["peak"]["noop"].values())
    real_peak = max(b["peak"]["real"].values())
    cpu = b["cpu_us_per_token"]
    client = b["client_cpu_us_per_token"]

    def cap(name):
        per_token = cpu[name] + client[name]
        return cores * 1e6 / per_token if per_token else float("nan")

    out = {"noop_peak": noop_peak, "real_peak": real_peak,
           "ratio": real_peak / noop_peak,
           "own_cpu_us": cpu["real"] - cpu["noop"],
           "cpu_cap": {"real": cap("real"), "noop": cap("noop")},
           "at_peak": at_peak(b),
           "audit_lines_missing": max(0, b["real_lines_due"] -
                                      b["audit_lines"]),
           "parts": parts_by_key(b.get("profile"),
                                 profile_summary.BATCH_KEYS)}
    # On a core of its own: the server CPU per token the target allows, the
    # no-op server's (gRPC, the kernel, the arena), and what that leaves
    # for captoken's own work, against what it spent.
    if pinned and pinned["real"]["per_cpu_second"]:
        target = TARGETS["batch_per_server_cpu_s"]["at_least"]
        real_us = 1e6 / pinned["real"]["per_cpu_second"]
        noop_us = 1e6 / pinned["noop"]["per_cpu_second"]
        out["pinned"] = {
            "per_cpu_second": pinned["real"]["per_cpu_second"],
            "of_target": pinned["real"]["per_cpu_second"] / target,
            "budget_us": 1e6 / target, "real_us": real_us,
            "noop_us": noop_us, "own_us": real_us - noop_us,
            "own_budget_us": max(0.0, 1e6 / target - noop_us)}
    if out["parts"]:
        server = b["peak_cpu"]["real"]["server"]
        features = sum(out["parts"][k] for k in (
            "signing", "fingerprint", "audit", "writer", "spec")) / 100
        out["features_us"] = features * server
    return out


def memory(m):
    points = dict(m["points"])
    after = TARGETS["memory_growth"]["after"]
    base = points.get(after, 0)
    last_n, last = m["points"][-1]
    return {"base": base, "last_n": last_n, "last": last,
            "growth": (last - base) / base if base else float("nan")}


def scale(sc):
    """Per count: resident memory per account over the one-account
    server's, and each figure the targets read; then the largest count,
    at which the targets are judged."""
    rows = sc.get("rows") or []
    one = next((r for r in rows if r["accounts"] == 1), None)
    out = []
    for r in rows:
        row = {"accounts": r["accounts"]}
        if one is not None and r["accounts"] > 1:
            row["rss_per_account_bytes"] = (
                1024 * (r["rss_kib"] - one["rss_kib"]) / r["accounts"])
        if r["accounts"] > 0:
            row["startup_cpu_us_per_account"] = (
                1e6 * r["startup_cpu_s"] / r["accounts"])
            row["reload_one_cpu_us_per_account"] = (
                1e6 * r["reload_one_cpu_s"] / r["accounts"])
        out.append(row)
    largest = max(rows, key=lambda r: r["accounts"]) if rows else None
    result = {"rows": out, "largest": largest,
              "largest_analysed": out[rows.index(largest)] if rows else None}
    # Minting in process: µs of CPU per call at each count (JSON keys are
    # strings), against one account's.
    inp = {int(n): us for n, us in (sc.get("in_process") or {}).items()}
    if 1 in inp and inp[1]:
        result["in_process"] = {n: {"us": us, "ratio": us / inp[1]}
                                for n, us in sorted(inp.items())}
    return result


def scale_verdicts(a):
    """The scale targets, judged at the largest count measured; undecided
    if that is fewer accounts than the target names."""
    t = TARGETS
    sa = a.get("scale")
    if not sa or not sa["largest"]:
        return []
    r, ra = sa["largest"], sa["largest_analysed"]
    n = r["accounts"]
    out = []

    def add(key, value, limit, **details):
        undecided = n < t[key]["accounts"]
        out.append(verdict(key, value <= limit, value, accounts=n,
                           undecided=undecided,
                           over=value / limit - 1 if limit else 0.0,
                           **details))

    if "mint_ratio" in r:
        add("scale_mint_vs_one", r["mint_ratio"],
            t["scale_mint_vs_one"]["at_most"])
    if "rss_per_account_bytes" in ra:
        add("scale_rss_per_account", ra["rss_per_account_bytes"],
            t["scale_rss_per_account"]["at_most_bytes"])
    # How the change was applied: by notification, or (the server at the
    # inotify watch limit) by SIGHUP; the report says which.
    add("scale_reload_one", r["reload_one_s"],
        t["scale_reload_one"]["at_most_s"],
        by=r.get("reload_one_by", "SIGHUP"))
    add("scale_startup", r["startup_s"], t["scale_startup"]["at_most_s"])
    inp = sa.get("in_process")
    if inp:
        n_in = max(inp)
        key = "scale_mint_in_process_vs_one"
        limit = t[key]["at_most"]
        value = inp[n_in]["ratio"]
        out.append(verdict(key, value <= limit, value, accounts=n_in,
                           undecided=n_in < t[key]["accounts"],
                           over=value / limit - 1, us=inp[n_in]["us"],
                           one_us=inp[1]["us"]))
    return out


def verdict(key, met, value, **details):
    return dict(key=key, met=met, value=value, **details)


def verdicts(a, results):
    t = TARGETS
    out = []
    typical = a["library"]["typical"]
    worst = min(x["sign_ratio"] for x in typical)
    out.append(verdict("sign_vs_hmac", worst >= t["sign_vs_hmac"]["at_least"],
                       worst, short=t["sign_vs_hmac"]["at_least"] - worst))
    worst = min(x["verify_ratio"] for x in typical)
    out.append(verdict("verify_vs_hmac",
                       worst >= t["verify_vs_hmac"]["at_least"], worst,
                       short=t["verify_vs_hmac"]["at_least"] - worst))
    p = a["peers"]
    if "node" in p:
        r = p["node"]["ratio"]
        out.append(verdict("vs_twilio_node",
                           r >= t["vs_twilio_node"]["at_least"], r,
                           short=t["vs_twilio_node"]["at_least"] - r))
    if "pyjwt" in p:
        r = p["pyjwt"]["ratio"]
        out.append(verdict("vs_pyjwt", r >= t["vs_pyjwt"]["at_least"], r,
                           short=t["vs_pyjwt"]["at_least"] - r,
                           encode_only=p["pyjwt_encode"]["ratio"]))
    g = a["grpc"]
    out.append(verdict("peak_vs_noop",
                       g["peak_ratio"] >= t["peak_vs_noop"]["at_least"],
                       g["peak_ratio"],
                       short=t["peak_vs_noop"]["at_least"] - g["peak_ratio"]))
    case = lkey(t["p99"]["concurrency"], t["p99"]["load"])
    lat = results["grpc"]["latency"]
    if case in lat["real"]:
        p99 = lat["real"][case]["p99"]
        out.append(verdict("p99", p99 <= t["p99"]["at_most_us"], p99,
                           over=(p99 - t["p99"]["at_most_us"]) /
                           t["p99"]["at_most_us"],
                           noop=lat["noop"][case]["p99"]))
    if a.get("batch") and a["batch"].get("pinned"):
        value = a["batch"]["pinned"]["per_cpu_second"]
        target = t["batch_per_server_cpu_s"]["at_least"]
        out.append(verdict("batch_per_server_cpu_s", value >= target, value,
                           short=target - value))
    m = a["memory"]
    limit = t["memory_growth"]["at_most"]
    out.append(verdict("memory_growth", abs(m["growth"]) <= limit,
                       m["growth"], over=abs(m["growth"]) - limit))
    return out


def analyse(results):
    """The derived figures and verdicts of a run's (normalized) results."""
    cores = results["machine"]["cores"]
    a = {"library": library(results["rates"]), "peers": peers(results),
         "grpc": grpc(results["grpc"]), "memory": memory(results["memory"])}
    if results["grpc"].get("batch"):
        a["batch"] = batch(results["grpc"]["batch"], cores,
                           results.get("pinned"))
    if results.get("scale") and results["scale"].get("rows"):
        a["scale"] = scale(results["scale"])
    a["verdicts"] = verdicts(a, results) + scale_verdicts(a)
    return a
