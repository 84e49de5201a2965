"""How long and how often each measurement runs, for a full run and for
`--quick`. They are saved with the results (`params`), so the report states
the conditions of the run it comes from, never the script's current ones.
"""

# Calls in flight for the gRPC measurements, and the channels (one TCP
# connection each) the load generator spreads them over.
CONCURRENCIES = (1, 16, 256)
CHANNELS = {1: 1, 16: 4, 256: 8}
# Open-loop latency at these fractions of the peak just measured.
LOADS = (0.5, 0.9)
BATCH_SIZE = 100


def params(quick):
    """The parameters of one run; JSON-compatible (string keys)."""
    def pick(quick_value, full_value):
        return quick_value if quick else full_value

    return {
        "concurrencies": list(CONCURRENCIES),
        "channels": {str(c): n for c, n in CHANNELS.items()},
        "loads": list(LOADS),
        "batch_size": BATCH_SIZE,
        "library": {"repetitions": pick(3, 15),
                    "min_time_s": pick(0.05, 0.2)},
        "signing_profile": {"frequency_hz": 1999,
                            "min_time_s": pick(0.5, 2)},
        "peers": {"seconds": pick(0.5, 2), "rounds": pick(3, 5)},
        "startup": {"runs": pick(3, 7)},
        # Single calls: closed-loop rounds per server and concurrency, the
        # CPU-per-call runs, then the open-loop latency runs.
        "grpc": {"pairs": pick(1, 7), "duration_s": pick(1.0, 1.5),
                 "warmup_s": pick(0.3, 0.5), "probe_s": 1.0, "probe_warmup_s": 0.3,
                 "cpu_concurrency": 16,
                 "latency_runs": pick(1, 3),
                 "latency_duration_s": pick(1.0, 2.5)},
        "batch": {"pairs": pick(1, 5), "duration_s": pick(1.0, 1.5),
                  "warmup_s": pick(0.3, 0.5), "probe_s": 1.0, "probe_warmup_s": 0.3,
                  "cpu_concurrency": 16,
                  "latency_runs": pick(1, 2),
                  "latency_duration_s": pick(1.0, 2.0)},
        "profile": {"frequency_hz": 499, "seconds": pick(1.0, 3.0),
                    "concurrency": 16},
        "pinned": {"rounds": pick(1, 5), "duration_s": pick(1.0, 1.5),
                   "warmup_s": pick(0.3, 0.5), "concurrency": 16},
        # Scale in accounts (bench/measure/scale.py): the counts, the
        # reloads at each, and the minting rounds against one account (open
        # loop at a fixed rate, the same for both servers; the calls take
        # up to `sample_accounts` of the accounts in turn).
        "scale": {"counts": pick([1, 1000, 10000],
                                 [1, 1000, 100000, 1000000]),
                  "idle_s": 1.0, "timeout_s": 600,
                  "reload_runs": pick(1, 3),
                  "reload_all_repeat_up_to": 100000,
                  "mint_rounds": pick(2, 6), "mint_rate": 4000,
                  "mint_duration_s": pick(1.0, 2.0),
                  "mint_warmup_s": pick(0.3, 0.5),
                  "concurrency": 16, "channels": 4,
                  "sample_accounts": 65536,
                  # Minting in process (bench:minter_benchmark).
                  "in_process_repetitions": pick(3, 7),
                  "in_process_min_time_s": pick(0.1, 0.3)},
        "memory": {"first": 10000, "total": pick(100000, 1000000),
                   "chunks": pick(3, 9), "concurrency": 16},
    }
