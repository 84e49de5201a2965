"""The report's plots (matplotlib), drawn from a run's results and their
analysis only; target lines come from bench/targets.py."""

import os

from analyse import lkey
from targets import TARGETS


def plots(results, a, out_dir):
    """Writes the PNGs into `out_dir`; returns their names."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker
    rates = results["rates"]
    grpc = results["grpc"]
    p = results["params"]
    concurrencies = p["concurrencies"]
    cases = [(c, load) for c in concurrencies for load in p["loads"]]
    files = []

    def save(fig, name):
        fig.tight_layout()
        files.append(name)
        fig.savefig(os.path.join(out_dir, name), dpi=90)
        plt.close(fig)

    # 1. The library against its floor, per token kind; and the growth.
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.2))
    kinds = ["client_incoming", "client_outgoing", "event_stream", "typical"]
    sign_target = TARGETS["sign_vs_hmac"]["at_least"]
    verify_target = TARGETS["verify_vs_hmac"]["at_least"]
    for i, (profile, arg) in enumerate((("twilio-python", 0),
                                        ("twilio-node", 1))):
        sign, verify = [], []
        for k in range(3):
            raw = rates["BM_RawHmacKind/%d/%d" % (k, arg)]
            sign.append(100 * rates["BM_SignKind/%d/%d" % (k, arg)] / raw)
            verify.append(100 * rates["BM_VerifyKind/%d/%d" % (k, arg)] / raw)
        typical = a["library"]["typical"][arg]
        sign.append(100 * typical["sign_ratio"])
        verify.append(100 * typical["verify_ratio"])
        xs = [j * 3 + i for j in range(len(kinds))]
        ax1.bar([x - 0.2 for x in xs], sign, 0.4,
                label="sign, %s" % profile, color=("#1f77b4", "#6baed6")[i])
        ax1.bar([x + 0.2 for x in xs], verify, 0.4,
                label="verify, %s" % profile,
                color=("#d62728", "#fc9272")[i])
    ax1.axhline(100 * sign_target, color="#1f77b4", ls="--", lw=1)
    ax1.axhline(100 * verify_target, color="#d62728", ls=":", lw=1)
    ax1.set_xticks([j * 3 + 0.5 for j in range(len(kinds))])
    ax1.set_xticklabels(kinds, fontsize=8)
    ax1.set_ylabel("rate, % of raw HMAC-SHA256 of the same input")
    ax1.set_title("Token library vs its floor (targets: sign %.0f%%, "
                  "verify %.0f%%)" % (100 * sign_target, 100 * verify_target),
                  fontsize=10)
    ax1.set_ylim(0, 60)
    ax1.legend(fontsize=7, ncol=2, loc="upper right")
    growth = a["library"]["growth"]
    for what, style, label in (("params", "o-", "parameters in a scope"),
                               ("scopes", "s-", "incoming scopes")):
        rows = growth[what]["rows"]
        ax2.plot([r["n"] for r in rows], [r["us"] for r in rows], style,
                 label=label)
    ax2.set_xlabel("count")
    ax2.set_ylabel("µs per token (node profile)")
    ax2.set_title("Signing cost against parameters and scopes")
    ax2.legend()
    save(fig, "performance-library.png")

    # 2. Peers, tokens per CPU second, log scale.
    peers = a["peers"]
    labels, values = ["captoken (C++)"], [peers["ours"]]
    for key, label in (("node", "twilio-node\ntoJwt()"),
                       ("pyjwt", "PyJWT,\ntwilio-python's way"),
                       ("pyjwt_encode", "PyJWT\njwt.encode() alone")):
        if key in peers:
            labels.append(label)
            values.append(peers[key]["rate"])
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.bar(labels, values, color=["#2ca02c"] + ["#7f7f7f"] * (len(values) - 1))
    ax.set_yscale("log")
    for i, v in enumerate(values):
        ax.text(i, v * 1.1, "%.0f× slower" % (peers["ours"] / v) if i else
                "%.2f M/s" % (v / 1e6), ha="center", fontsize=9)
    ax.set_ylabel("tokens per CPU second (log)")
    ax.set_title("The same token, one core each (same run)")
    save(fig, "performance-peers.png")

    def peak_and_latency(suite, scale, unit_label, title, xlabel, target):
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.2))
        xs = range(len(concurrencies))
        for offset, name, label, color in ((-0.2, "noop", "no-op server",
                                            "#7f7f7f"),
                                           (0.2, "real", "captoken server",
                                            "#1f77b4")):
            ax1.bar([x + offset for x in xs],
                    [suite["peak"][name][c] / scale for c in concurrencies],
                    0.4, label=label, color=color)
        for x, c in zip(xs, concurrencies):
            ax1.text(x + 0.2, suite["peak"]["real"][c] / scale * 1.02,
                     "%.0f%% paired" % (100 * suite["peak_ratio"][c]),
                     ha="center", fontsize=8)
        if target:
            ax1.axhline(target / scale, color="k", ls="--", lw=1)
            ax1.text(len(concurrencies) - 0.5, target / scale, "target",
                     ha="right", va="bottom", fontsize=8)
        ax1.set_xticks(list(xs))
        ax1.set_xticklabels(["%d in flight" % c for c in concurrencies])
        ax1.set_ylabel(unit_label)
        ax1.set_title(title)
        ax1.legend(loc="upper left", fontsize=8)
        for s, (name, color) in enumerate((("noop", "#7f7f7f"),
                                           ("real", "#1f77b4"))):
            lat = suite["latency"][name]
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
        ax2.set_xlabel(xlabel)
        ax2.set_ylabel("latency, µs (log): bar p99, black p50, red p99.9")
        ax2.legend(fontsize=8)
        return fig, ax2

    # 3. gRPC: peak throughput and latency, real vs no-op.
    fig, ax2 = peak_and_latency(
        grpc, 1, "calls per second (closed loop)",
        "MintCapabilityToken peak throughput",
        "calls in flight, load as % of that server's peak", None)
    ax2.axhline(TARGETS["p99"]["at_most_us"], color="k", ls="--", lw=1)
    ax2.set_title("Latency (open loop); dashed: the p99 target")
    save(fig, "performance-grpc.png")

    # 4. BatchMint: peak tokens/s (the target is per core of server CPU,
    # "One core for the server", not a rate over the machine), latency per
    # call.
    batch = grpc.get("batch")
    if batch:
        fig, ax2 = peak_and_latency(
            batch, 1e3, "thousand tokens per second (closed loop)",
            "BatchMint peak throughput, %d-token batches" %
            batch["batch_size"],
            "batches in flight, load as % of that server's peak", None)
        ax2.set_title("BatchMint latency per call (open loop)")
        save(fig, "performance-batch.png")

    # 5. Memory against requests served.
    memory = results["memory"]
    fig, ax = plt.subplots(figsize=(7, 4))
    xs = [n for n, _ in memory["points"]]
    ax.plot(xs, [kib / 1024 for _, kib in memory["points"]], "o-")
    base = a["memory"]["base"]
    if base:
        limit = 1 + TARGETS["memory_growth"]["at_most"]
        ax.axhline(base * limit / 1024, color="k", ls="--", lw=1)
        ax.text(xs[-1], base * limit / 1024, "target: after %s + %.0f%%" % (
            "{:,}".format(TARGETS["memory_growth"]["after"]),
            100 * TARGETS["memory_growth"]["at_most"]), ha="right",
            va="bottom", fontsize=8)
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(
        lambda x, _: "{:,.0f}k".format(x / 1000) if x else "0"))
    ax.set_xlabel("requests served")
    ax.set_ylabel("resident memory, MiB (idle, between runs)")
    ax.set_ylim(bottom=0)
    ax.set_title("Server resident memory")
    save(fig, "performance-memory.png")

    # 6. Scale in accounts: times, memory per account, minting cost.
    if a.get("scale"):
        scale_plot(results["scale"], a["scale"], plt, save)
    return files


def scale_plot(sc, sa, plt, save):
    rows = sc["rows"]
    t = TARGETS
    fig, (ax1, ax2, ax3) = plt.subplots(1, 3, figsize=(14, 4.2))
    ns = [r["accounts"] for r in rows]
    for key, style, label in (("startup_s", "o-", "start-up"),
                              ("reload_one_s", "s-", "reload, one changed"),
                              ("reload_all_s", "^-", "reload, all changed")):
        ax1.plot(ns, [r[key] for r in rows], style, label=label)
    ax1.plot(ns, [r["startup_cpu_s"] or float("nan") for r in rows], "o:",
             color="#1f77b4", alpha=0.6, label="start-up, server CPU")
    ax1.plot(ns, [r["reload_one_cpu_s"] or float("nan") for r in rows],
             "s:", color="#ff7f0e", alpha=0.6,
             label="reload one, server CPU")
    big = t["scale_startup"]["accounts"]
    ax1.plot([big], [t["scale_startup"]["at_most_s"]], "kv", ms=8)
    ax1.plot([big], [t["scale_reload_one"]["at_most_s"]], "k^", ms=8)
    ax1.text(big, t["scale_startup"]["at_most_s"], " target", fontsize=7,
             va="bottom", ha="right")
    ax1.text(big, t["scale_reload_one"]["at_most_s"], " target",
             fontsize=7, va="top", ha="right")
    ax1.set_xscale("log")
    ax1.set_yscale("log")
    ax1.set_xlabel("accounts")
    ax1.set_ylabel("seconds (log)")
    ax1.set_title("Start-up and reloads (wall; dotted: server CPU)",
                  fontsize=10)
    ax1.legend(fontsize=7)
    per = [(r["accounts"], r["rss_per_account_bytes"]) for r in sa["rows"]
           if "rss_per_account_bytes" in r]
    if per:
        ax2.plot([n for n, _ in per], [b for _, b in per], "o-")
        ax2.axhline(t["scale_rss_per_account"]["at_most_bytes"], color="k",
                    ls="--", lw=1)
        ax2.text(per[0][0], t["scale_rss_per_account"]["at_most_bytes"],
                 "target", fontsize=8, va="bottom")
    ax2.set_xscale("log")
    ax2.set_ylim(bottom=0)
    ax2.set_xlabel("accounts")
    ax2.set_ylabel("bytes per account over one account's")
    ax2.set_title("Resident memory per account", fontsize=10)
    mint = [r for r in rows if "mint_ratio" in r]
    if mint:
        xs = [r["accounts"] for r in mint]
        ys = [100 * r["mint_ratio"] for r in mint]
        low = [y - 100 * r["mint_ratio_range"][0] for y, r in zip(ys, mint)]
        high = [100 * r["mint_ratio_range"][1] - y for y, r in zip(ys, mint)]
        ax3.errorbar(xs, ys, yerr=[low, high], fmt="o-", capsize=4,
                     label="over gRPC")
        ax3.axhline(100, color="#7f7f7f", lw=1)
        ax3.axhline(100 * t["scale_mint_vs_one"]["at_most"], color="k",
                    ls="--", lw=1)
        ax3.set_xscale("log")
    inp = sa.get("in_process")
    if inp:
        counts = sorted(n for n in inp if n > 1)
        ax3.plot(counts, [100 * inp[n]["ratio"] for n in counts], "s--",
                 label="in process (minter_benchmark)")
        ax3.set_xscale("log")
    if mint or inp:
        ax3.legend(fontsize=7)
    ax3.set_xlabel("accounts")
    ax3.set_ylabel("CPU per call, % of one account's")
    ax3.set_title("MintCapabilityToken (bars: lowest, highest pair)",
                  fontsize=10)
    save(fig, "performance-scale.png")
