#!/usr/bin/python3
"""Instructions per call of the library's sign and verify, counted by
callgrind, for one or more builds of bench:token_benchmark; or, with
--server, instructions per token of the whole server under BatchMint:

    bench/instruction_counts.py BENCHMARK_BINARY [BENCHMARK_BINARY...]
    bench/instruction_counts.py --server SERVER_BINARY [SERVER_BINARY...]

Wall-clock A/B runs on this shared 2-core machine move by 10-25% between
runs of the same two binaries, more than most changes to the code; the
number of instructions a call executes does not move at all. Each binary is
run under `valgrind --tool=callgrind --cache-sim=yes`, collecting only
inside the function measured, and the table gives, per call, the
instructions executed and the first-level instruction-cache misses of
callgrind's simulated cache (the host's L1i geometry). The calls are
counted through a callee each call makes exactly once (the collection is
switched on inside the function, so the calls into it are not recorded).

With --server, each server (a build of //service:server, in development
mode on a loopback port) runs under callgrind while bench:loadgen sends it
BatchMint calls of 100 typical capability requests: a warm-up, then the
counters are zeroed, SERVER_BATCHES calls (default 100) are made and the
counters dumped. The table gives the instructions of every thread of the
server per token, and those outside libcrypto: valgrind's virtual CPU has
no SHA extensions, so OpenSSL runs its portable SHA-256 there, many times
the instructions the real CPU executes for the same HMACs and
fingerprints, and the rest is what a change to the server's own code
moves.

The instructions say whether a change does more or less work; the simulated
misses show how much of a wall-clock difference is where the linker put the
code (docs/performance-notes.md, "Instructions, not seconds"). Nothing is
asserted: the script reports what it counted.
"""

import glob
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

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


LOADGEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                       "bazel-bin", "bench", "loadgen")


def parse_annotate(text):
    """Returns (program total, {object path: instructions}) from
    `callgrind_annotate --inclusive=no` output: the PROGRAM TOTALS line,
    and each function's own cost summed by the object (program or library)
    named in brackets at the end of its line. (In a dump taken while the
    server runs, the frames active when the counters were zeroed, a
    thread's entry functions, are listed with what they called; only the
    total is exact for every object, so callers take the objects whose
    functions cannot be on those stacks.)"""
    total = int(re.search(r"^\s*([\d,]+) \(100.0%\)\s+PROGRAM TOTALS", text,
                          re.M).group(1).replace(",", ""))
    by_object = {}
    for cost, obj in re.findall(
            r"^\s*([\d,]+) \([ \d.]+%\)\s+\S.*\[([^\]]+)\]\s*$", text,
            re.M):
        by_object[obj] = by_object.get(obj, 0) + int(cost.replace(",", ""))
    return total, by_object


def server_count(binary, batches, batch_size=100):
    """(instructions per token, of them outside libcrypto) for `binary`
    under callgrind and bench:loadgen's BatchMint calls."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "callgrind.out")
        proc = subprocess.Popen(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
             binary, "--listen=127.0.0.1:0"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            seen = b""
            port = None
            while port is None:
                chunk = os.read(proc.stderr.fileno(), 65536)
                if not chunk:
                    sys.exit(f"{binary}: exited before listening")
                seen += chunk
                m = re.search(rb'"event":"listening"[^\n]*"port":(\d+)', seen)
                port = int(m.group(1)) if m else None
            # The log is read, as a collector would, so the server never
            # waits for a full pipe.
            threading.Thread(target=lambda: [None for _ in iter(
                lambda: os.read(proc.stderr.fileno(), 65536), b"")],
                daemon=True).start()

            def load(calls):
                subprocess.run(
                    [LOADGEN, f"--target=127.0.0.1:{port}", "--concurrency=4",
                     "--channels=1", "--method=BatchMint",
                     f"--batch_size={batch_size}", f"--requests={calls}"],
                    check=True, capture_output=True)
            load(20)
            subprocess.run(["callgrind_control", "-z", str(proc.pid)],
                           check=True, capture_output=True)
            load(batches)
            time.sleep(0.5)  # the log writer's last lines
            subprocess.run(["callgrind_control", "-d", str(proc.pid)],
                           check=True, capture_output=True)
        finally:
            proc.terminate()
            proc.wait()
        dumps = [d for d in glob.glob(out + "*") if d != out]
        if not dumps:
            sys.exit(f"{binary}: callgrind wrote no dump")
        text = subprocess.run(
            ["callgrind_annotate", "--threshold=100", "--auto=no",
             "--inclusive=no", min(dumps, key=os.path.getmtime)],
            check=True, capture_output=True, text=True).stdout
    total, by_object = parse_annotate(text)
    tokens = batches * batch_size
    crypto = sum(v for k, v in by_object.items()
                 if os.path.basename(k).startswith("libcrypto"))
    return total / tokens, (total - crypto) / tokens


def main_server(binaries):
    batches = int(os.environ.get("SERVER_BATCHES", "100"))
    print("binaries: " + ", ".join(f"[{i}] {b}" for i, b in enumerate(binaries)))
    print(f"BatchMint, {batches} calls of 100 capability requests; "
          "instructions per token")
    print(f"{'':>5} {'all':>10} {'outside libcrypto':>18}")
    counted = []
    for i, binary in enumerate(binaries):
        per_token, outside = server_count(binary, batches)
        counted.append((per_token, outside))
        row = f"[{i}]  {per_token:>10.0f} {outside:>18.0f}"
        if i > 0:
            row += (f"   vs [0]: {per_token / counted[0][0]:.4f}, "
                    f"outside libcrypto {outside / counted[0][1]:.4f}")
        print(row, flush=True)


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help"):
        sys.exit(__doc__)
    if sys.argv[1] == "--server":
        if len(sys.argv) < 3:
            sys.exit(__doc__)
        main_server(sys.argv[2:])
    else:
        main(sys.argv[1:])
