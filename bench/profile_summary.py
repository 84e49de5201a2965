#!/usr/bin/python3
"""Summarizes a `perf record --call-graph` profile of the token server.

    profile_summary.py perf.data          prints the summary as JSON
    profile_summary.py --batch perf.data  the same for the BatchMint path

bench/run.py records the server under load and puts this summary in
docs/performance.md: for each part of the server's own work, the share of
the server's CPU samples whose stack passes through it (inclusive), and the
functions that take the most samples themselves (exclusive).
"""

import collections
import json
import re
import subprocess
import sys

# (label, function or scope; see _matches). Inclusive: a sample counts for
# every label whose function is on its stack.
PARTS = [
    ("handler: TokenService::MintCapabilityToken, all of it",
     "captoken::service::TokenService::MintCapabilityToken"),
    ("  minting: TokenMinter::MintCapabilityToken",
     "captoken::service::TokenMinter::MintCapabilityToken"),
    ("    request to spec: CapabilitySpecFromProto",
     "captoken::convert::CapabilitySpecFromProto"),
    ("    checking: CheckCapability", "captoken::token::CheckCapability"),
    ("    signing: SignCheckedCapability",
     "captoken::token::SignCheckedCapability"),
    ("    SHA-256 fingerprint: TokenFingerprint",
     "captoken::service::TokenFingerprint"),
    ("  caller identity: TokenService::Caller",
     "captoken::service::TokenService::Caller"),
    ("  audit line: TokenService::AuditLineStart, AddAuditFields",
     ("captoken::service::TokenService::AuditLineStart",
      "captoken::service::TokenService::AddAuditFields",
      "captoken::service::Logger::Write")),
    ("    building the JSON line: LogLine", "captoken::service::LogLine::"),
    ("    queueing it: Logger::Write", "captoken::service::Logger::Write"),
    ("log writer thread: Logger::WriterLoop",
     "captoken::service::Logger::WriterLoop"),
    ("request parsing (gRPC calls it for both servers)",
     "captoken::v1::CapabilityRequest::_InternalParse"),
    ("absl::Mutex (ours and gRPC's)", "absl::debian3::Mutex::"),
    ("absl::Mutex deadlock detection (GraphCycles)",
     "synchronization_internal::GraphCycles::"),
]

# The same for the BatchMint path (bench/run.py's batch profile). A tuple
# names several functions: a sample counts if any is on its stack.
BATCH_PARTS = [
    ("handler: TokenService::BatchMint, all of it",
     "captoken::service::TokenService::BatchMint"),
    ("  minting: TokenMinter::BatchMint",
     "captoken::service::TokenMinter::BatchMint"),
    ("    request to spec: CapabilitySpecFromProto",
     "captoken::convert::CapabilitySpecFromProto"),
    ("    checking: CheckCapability", "captoken::token::CheckCapability"),
    ("    signing: SignCheckedCapability",
     "captoken::token::SignCheckedCapability"),
    ("    SHA-256 fingerprints: TokenFingerprint",
     "captoken::service::TokenFingerprint"),
    ("  audit lines, one per item: TokenService::AddAuditFields, LogBatch",
     ("captoken::service::TokenService::AuditLineStart",
      "captoken::service::TokenService::AddAuditFields",
      "captoken::service::LogBatch::", "captoken::service::Logger::Write")),
    ("    building the JSON lines: LogLine", "captoken::service::LogLine::"),
    ("    queueing them: Logger::Write", "captoken::service::Logger::Write"),
    ("  metrics: ServerMetrics", "captoken::service::ServerMetrics::"),
    ("log writer thread: Logger::WriterLoop",
     "captoken::service::Logger::WriterLoop"),
    ("request parsing (gRPC calls it for both servers)",
     "captoken::v1::BatchMintRequest::_InternalParse"),
    ("response serialization (both servers)",
     "captoken::v1::BatchMintResponse::_InternalSerialize"),
    ("freeing the request and the response (both servers; their arena)",
     ("captoken::v1::BatchMintRequest::~BatchMintRequest",
      "captoken::v1::BatchMintResponse::~BatchMintResponse",
      "google::protobuf::internal::ThreadSafeArena::~ThreadSafeArena")),
    ("absl::Mutex (ours and gRPC's)", "absl::debian3::Mutex::"),
]

# bench/run.py's short names for the rows of BATCH_PARTS it quotes.
BATCH_KEYS = {
    "handler": BATCH_PARTS[0][0],
    "minting": BATCH_PARTS[1][0],
    "spec": BATCH_PARTS[2][0],
    "signing": BATCH_PARTS[4][0],
    "fingerprint": BATCH_PARTS[5][0],
    "audit": BATCH_PARTS[6][0],
    "metrics": BATCH_PARTS[9][0],
    "writer": BATCH_PARTS[10][0],
    "parse": BATCH_PARTS[11][0],
    "serialize": BATCH_PARTS[12][0],
    "free": BATCH_PARTS[13][0],
}


def parse_samples(perf_data):
    """Yields each sample's stack as a list of symbols, leaf first."""
    out = subprocess.run(
        ["perf", "script", "-i", perf_data, "-F", "comm,tid,ip,sym",
         "--no-inline"],
        check=True, capture_output=True, text=True).stdout
    stack = []
    for line in out.splitlines():
        if not line.strip():
            if stack:
                yield stack
            stack = []
            continue
        if line[0] in " \t":
            parts = line.strip().split(None, 1)
            address = parts[0]
            symbol = parts[1] if len(parts) > 1 else "[unknown]"
            if address.startswith("ffffffff"):
                symbol = "[kernel] " + symbol
            stack.append(symbol)
    if stack:
        yield stack


def _matches(frame, pattern):
    """A pattern ending in '::' matches any function in that scope; any
    other names one function (with or without an ABI tag); a tuple matches
    if any of its patterns does."""
    if isinstance(pattern, tuple):
        return any(_matches(frame, p) for p in pattern)
    if pattern.endswith("::"):
        return pattern in frame
    return frame == pattern or frame.startswith(pattern + "[")


# Leaf functions that are the allocator's own work: glibc's malloc, or
# TCMalloc's (the servers link it; //bazel:malloc).
_GLIBC_ALLOCATOR = ("malloc", "_int_malloc", "free", "_int_free", "cfree",
                    "malloc_consolidate", "unlink_chunk.constprop.0")
_TCMALLOC_PREFIXES = ("tc_", "tcmalloc::", "operator new", "operator delete")


def _is_allocator(symbol):
    return (symbol.split("@")[0] in _GLIBC_ALLOCATOR or
            symbol.startswith(_TCMALLOC_PREFIXES) or
            "do_free" in symbol or "do_malloc" in symbol)


def summarize(perf_data, parts=PARTS, top=12):
    total = 0
    inclusive = collections.Counter()
    leaf = collections.Counter()
    kernel = 0
    malloc = 0
    for stack in parse_samples(perf_data):
        total += 1
        for label, pattern in parts:
            if any(_matches(frame, pattern) for frame in stack):
                inclusive[label] += 1
        leaf[stack[0]] += 1
        if stack[0].startswith("[kernel]"):
            kernel += 1
        if _is_allocator(stack[0]):
            malloc += 1
    if total == 0:
        return {"samples": 0}
    return {
        "samples": total,
        "parts": [(label, 100.0 * inclusive[label] / total)
                  for label, _ in parts],
        "kernel_pct": 100.0 * kernel / total,
        "malloc_pct": 100.0 * malloc / total,
        "top_self": [(symbol[:110], 100.0 * n / total)
                     for symbol, n in leaf.most_common(top)],
    }


# Where signing spends its time (a flat profile of BM_SignCapability):
# (label, predicate on (dso, symbol)), first match wins.
SIGNING_PARTS = [
    ("HMAC-SHA256 in libcrypto (the floor)",
     lambda dso, sym: dso.startswith("libcrypto")),
    ("base64url encoding", lambda dso, sym: "AppendBase64Url" in sym),
    ("percent-encoding the parameters",
     lambda dso, sym: "PercentEncoded" in sym or "Params" in sym and
     "Check" not in sym),
    ("writing and escaping JSON",
     lambda dso, sym: "Json" in sym or "AppendRun" in sym or
     "FastIntToBuffer" in sym),
    ("validating the request (SIDs, text, limits)",
     lambda dso, sym: any(k in sym for k in (
         "IsSid", "CheckText", "Validate", "CheckParams", "CheckCapability",
         "Utf8", "CheckSid"))),
    ("string copies and growth (libstdc++, libc)",
     lambda dso, sym: dso.startswith(("libstdc++", "libc.so"))),
]


def summarize_flat(perf_data, parts=SIGNING_PARTS):
    """A flat profile (no call graph) split into `parts`, first match wins;
    returns [(label, percent)] with the rest as "everything else"."""
    out = subprocess.run(
        ["perf", "report", "-i", perf_data, "--no-children", "--sort=dso,sym",
         "--stdio"], check=True, capture_output=True, text=True).stdout
    shares = collections.OrderedDict((label, 0.0) for label, _ in parts)
    rest = 0.0
    for line in out.splitlines():
        m = re.match(r"\s*([\d.]+)%\s+(\S+)\s+\[.\]\s+(.*)$", line)
        if not m:
            continue
        pct, dso, sym = float(m.group(1)), m.group(2), m.group(3)
        for label, match in parts:
            if match(dso, sym):
                shares[label] += pct
                break
        else:
            rest += pct
    result = list(shares.items())
    result.append(("everything else", rest))
    return result


if __name__ == "__main__":
    if sys.argv[1] == "--batch":
        print(json.dumps(summarize(sys.argv[2], BATCH_PARTS), indent=1))
    else:
        print(json.dumps(summarize(sys.argv[1]), indent=1))
