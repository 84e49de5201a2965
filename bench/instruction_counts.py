#!/usr/bin/python3
"""Instructions per call of the library's sign and verify, counted by
callgrind, for one or more builds of bench:token_benchmark:

    bench/instruction_counts.py BENCHMARK_BINARY [BENCHMARK_BINARY...]

Wall-clock A/B runs on this shared 2-core machine move by 10-25% between
runs of the same two binaries, more than most changes to the code; the
number of instructions a call executes does not move at all. Each binary is
run under `valgrind --tool=callgrind --cache-sim=yes`, collecting only
inside the function measured, and the table gives, per call, the
instructions executed and the first-level instruction-cache misses of
callgrind's simulated cache (the host's L1i geometry). The calls are
counted through a callee each call makes exactly once (the collection is
switched on inside the function, so the calls into it are not recorded).

The instructions say whether a change does more or less work; the simulated
misses show how much of a wall-clock difference is where the linker put the
code (docs/performance-notes.md, "Instructions, not seconds"). Nothing is
asserted: the script reports what it counted.
"""

import re
import subprocess
import sys
import tempfile

# (benchmark, function measured, its once-per-call callee)
CASES = (
    ("BM_SignCapability/0", "captoken::token::SignCapabilityToken*",
     "captoken::token::CheckCapability("),
    ("BM_SignCapability/1", "captoken::token::SignCapabilityToken*",
     "captoken::token::CheckCapability("),
    ("BM_VerifyCapability/0", "captoken::token::CapabilityVerifier::Verify*",
     "captoken::token::JwtVerifier::AuthenticatePayload("),
    ("BM_VerifyCapability/1", "captoken::token::CapabilityVerifier::Verify*",
     "captoken::token::JwtVerifier::AuthenticatePayload("),
)


def parse_callgrind(text, callee):
    """Returns (events summed over the run, calls of `callee`) from a
    callgrind output file's text: the `summary:` line, keyed by the
    `events:` line's names, and the `calls=` lines of arcs into `callee`."""
    events = re.search(r"^events: (.*)$", text, re.M).group(1).split()
    summary = [int(v) for v in re.search(r"^summary: (.*)$", text, re.M).group(1).split()]
    totals = dict(zip(events, summary))
    # Compressed names: "(id) name" the first time, "(id)" after.
    names = dict(re.findall(r"^c?fn=\((\d+)\) (.+)$", text, re.M))
    ids = {i for i, name in names.items() if name.startswith(callee)}
    calls = 0
    for target, count in re.findall(r"^cfn=\((\d+)\).*\ncalls=(\d+)", text, re.M):
        if target in ids:
            calls += int(count)
    return totals, calls


def count(binary, benchmark, function, callee):
    with tempfile.NamedTemporaryFile(suffix=".callgrind") as out:
        subprocess.run(
            ["valgrind", "--tool=callgrind", "--cache-sim=yes",
             f"--callgrind-out-file={out.name}", f"--toggle-collect={function}",
             binary, f"--benchmark_filter=^{re.escape(benchmark)}$",
             "--benchmark_min_time=0.05"],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(out.name, encoding="utf-8") as file:
            totals, calls = parse_callgrind(file.read(), callee)
    if calls == 0:
        sys.exit(f"{binary}: no call of {callee} counted in {benchmark}")
    return totals["Ir"] / calls, totals.get("I1mr", 0) / calls


def main(binaries):
    header = "benchmark                " + "".join(
        f"  {'instr/call':>10} {'I1 miss':>7}" for _ in binaries)
    print("binaries: " + ", ".join(f"[{i}] {b}" for i, b in enumerate(binaries)))
    print(header + ("   instr [n]/[0]" if len(binaries) > 1 else ""))
    for benchmark, function, callee in CASES:
        counted = [count(b, benchmark, function, callee) for b in binaries]
        row = f"{benchmark:<25}" + "".join(
            f"  {ir:>10.0f} {miss:>7.1f}" for ir, miss in counted)
        if len(binaries) > 1:
            row += "   " + " ".join(f"{ir / counted[0][0]:.4f}" for ir, _ in counted[1:])
        print(row, flush=True)


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help"):
        sys.exit(__doc__)
    main(sys.argv[1:])
