#!/usr/bin/python3
"""Summarizes a `perf record --call-graph` profile of the token server.

    profile_summary.py [--binary=PATH] perf.data          the summary, JSON
    profile_summary.py [--binary=PATH] --batch perf.data  the BatchMint path

bench/measure records the server under load and the report shows this
summary: for each part of the server's own work, the share of the server's
CPU samples whose stack passes through it (inclusive), and the functions
that take the most samples themselves (exclusive).

Every function the tables below name must exist: in the profiled binary and
the libraries it loads (--binary; bench/run.py passes it), or else in the
profile's own samples. A name that is missing (renamed, moved, inlined
away) stops the summary with MissingSymbol naming it, instead of showing
0% for a part that was not measured.
"""

import collections
import json
import re
import subprocess
import sys

# The parts of the server's work, one table per profile: (label, names).
# A name is a function given by its class and name without namespaces
# ("TokenService::Caller" matches captoken::<any>::TokenService::Caller), or
# a scope ending in "::" (any function in it). A sample counts for a label
# if any of its names is on the sample's stack. When functions are renamed
# or moved, this is the one place to change.
PARTS = [
    ("handler: TokenService::MintCapabilityToken, all of it",
     ("TokenService::MintCapabilityToken",)),
    ("  minting: TokenMinter::MintCapabilityToken",
     ("TokenMinter::MintCapabilityToken",)),
    ("    request to spec: CapabilitySpecFromProto",
     ("CapabilitySpecFromProto",)),
    ("    checking: CheckCapability", ("CheckCapability",)),
    ("    signing: SignCheckedCapability", ("SignCheckedCapability",)),
    ("    SHA-256 fingerprint: TokenFingerprint", ("TokenFingerprint",)),
    ("  caller identity: TokenService::Caller", ("TokenService::Caller",)),
    ("  audit line: TokenService::AuditLineStart, AddAuditFields, Audit",
     ("TokenService::AuditLineStart", "TokenService::AddAuditFields",
      "TokenService::Audit")),
    ("    building the JSON line: LogLine", ("LogLine::",)),
    ("    queueing it: Logger::Write, WriteOrRefuse",
     ("Logger::Write", "Logger::WriteOrRefuse")),
    ("log writer thread: Logger::WriterLoop", ("Logger::WriterLoop",)),
    ("request parsing (gRPC calls it for both servers)",
     ("CapabilityRequest::_InternalParse",)),
    ("absl::Mutex (ours and gRPC's)", ("Mutex::",)),
    ("absl::Mutex deadlock detection (GraphCycles)", ("GraphCycles::",)),
]

BATCH_PARTS = [
    ("handler: TokenService::BatchMint, all of it",
     ("TokenService::BatchMint",)),
    ("  minting: TokenMinter::BatchMint", ("TokenMinter::BatchMint",)),
    ("    request to spec: CapabilitySpecFromProto",
     ("CapabilitySpecFromProto",)),
    ("    checking: CheckCapability", ("CheckCapability",)),
    ("    signing: SignCheckedCapability", ("SignCheckedCapability",)),
    ("    SHA-256 fingerprints: TokenFingerprint", ("TokenFingerprint",)),
    ("  audit lines, one per item: TokenService::AddAuditFields, LogBatch, "
     "Audit",
     ("TokenService::AuditLineStart", "TokenService::AddAuditFields",
      "LogBatch::", "TokenService::Audit")),
    ("    building the JSON lines: LogLine", ("LogLine::",)),
    ("    queueing them: Logger::Write, WriteOrRefuse",
     ("Logger::Write", "Logger::WriteOrRefuse")),
    ("  metrics: ServerMetrics", ("ServerMetrics::",)),
    ("log writer thread: Logger::WriterLoop", ("Logger::WriterLoop",)),
    ("request parsing (gRPC calls it for both servers)",
     ("BatchMintRequest::_InternalParse",)),
    ("response serialization (both servers)",
     ("BatchMintResponse::_InternalSerialize",)),
    ("freeing the request and the response (both servers; their arena)",
     ("BatchMintRequest::~BatchMintRequest",
      "BatchMintResponse::~BatchMintResponse",
      "ThreadSafeArena::~ThreadSafeArena")),
    ("absl::Mutex (ours and gRPC's)", ("Mutex::",)),
]

# Short names for the BATCH_PARTS rows the analysis quotes.
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

# And for PARTS.
KEYS = {
    "handler": PARTS[0][0],
    "minting": PARTS[1][0],
    "signing": PARTS[4][0],
    "fingerprint": PARTS[5][0],
    "caller": PARTS[6][0],
    "audit": PARTS[7][0],
    "writer": PARTS[10][0],
}

# Where signing spends its time (a flat profile of BM_SignCapability):
# (label, libraries, names, but not), first match wins. A sample matches if
# its library's name starts with one of `libraries`, or its symbol contains
# one of `names` and none of `but not`. Every name must still be a defined
# symbol (see above); libraries must be among those loaded.
SIGNING_PARTS = [
    ("HMAC-SHA256 in libcrypto (the floor)", ("libcrypto",), (), ()),
    ("base64url encoding", (), ("AppendBase64Url", "WriteBase64Url"), ()),
    ("percent-encoding the parameters", (),
     ("AppendNodeParams", "AppendPythonParams"), ()),
    ("writing and escaping JSON", (), ("Json", "AppendEscaped"), ()),
    ("validating the request (SIDs, text, limits)", (),
     ("IsSid", "CheckSid", "CheckText", "CheckParams", "CheckCapability",
      "Utf8"), ()),
    ("string copies and growth (libstdc++, libc)", ("libstdc++", "libc.so"),
     (), ()),
]


class MissingSymbol(Exception):
    """A table above names a function that the profiled program lacks."""


def _base(symbol):
    """A symbol without its ABI tags, clone suffix or argument list."""
    symbol = re.sub(r"\[abi:\w+\]", "", symbol)
    symbol = re.sub(r" \[clone [^\]]*\]", "", symbol)
    depth = 0
    for i, c in enumerate(symbol):
        if c == "<":
            depth += 1
        elif c == ">":
            depth -= 1
        elif c == "(" and depth == 0 and not symbol.endswith(
                "operator", 0, i):
            return symbol[:i]
    return symbol


def matches(frame, name):
    """Whether stack frame `frame` is function `name` (any namespace), or
    in scope `name` if it ends in "::"."""
    frame = _base(frame)
    if name.endswith("::"):
        return frame.startswith(name) or ("::" + name) in frame
    return frame == name or frame.endswith("::" + name)


def missing_names(names, symbols):
    """The names (PARTS-style) that no symbol in `symbols` matches
    (`symbols` may be one string of them, a line each, as _symbol_text
    makes it)."""
    text = symbols if isinstance(symbols, str) else _symbol_text(symbols)
    missing = []
    for name in names:
        if name.endswith("::"):
            pattern = r"(^|::)" + re.escape(name)
        else:
            pattern = r"(^|::)" + re.escape(name) + r"$"
        if not re.search(pattern, text, re.M):
            missing.append(name)
    return missing


def _symbol_text(symbols):
    return "\n".join(sorted({_base(s) for s in symbols}))


def check_names(parts, symbols, where):
    """Raises MissingSymbol naming every function of `parts` (PARTS-style)
    that `symbols` lacks."""
    missing = []
    text = _symbol_text(symbols)
    for label, names in parts:
        for name in missing_names(names, text):
            missing.append("%s (for %r)" % (name, label.strip()))
    if missing:
        raise MissingSymbol(
            "%s lacks %s; update the tables in bench/profile_summary.py" %
            (where, ", ".join(missing)))


def defined_symbols(binary):
    """The demangled functions `binary` and the libraries it loads define,
    and those libraries' file names."""
    symbols = _nm(["nm", "-C", "--defined-only", binary])
    libraries = []
    for line in subprocess.run(["ldd", binary], check=True,
                               capture_output=True, text=True
                               ).stdout.splitlines():
        m = re.match(r"\s*(\S+) => (/\S+)", line)
        if m:
            libraries.append(m.group(1))
            symbols += _nm(["nm", "-C", "-D", "--defined-only",
                            m.group(2)])
    return symbols, libraries


def _nm(argv):
    out = subprocess.run(argv, check=True, capture_output=True,
                         text=True).stdout
    return [parts[2] for parts in (line.split(None, 2)
                                   for line in out.splitlines())
            if len(parts) == 3]


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


# Leaf functions that are the allocator's own work: glibc's malloc, or
# TCMalloc's (the servers link it; //bazel:malloc).
_GLIBC_ALLOCATOR = ("malloc", "_int_malloc", "free", "_int_free", "cfree",
                    "malloc_consolidate", "unlink_chunk.constprop.0")
_TCMALLOC_PREFIXES = ("tc_", "tcmalloc::", "operator new", "operator delete")


def _is_allocator(symbol):
    return (symbol.split("@")[0] in _GLIBC_ALLOCATOR or
            symbol.startswith(_TCMALLOC_PREFIXES) or
            "do_free" in symbol or "do_malloc" in symbol)


def summarize_stacks(stacks, parts=PARTS, top=12, symbols=None):
    """The summary of `stacks` (lists of frames, leaf first). Every name
    in `parts` must be among `symbols` (the program's functions), or, if
    None, on some sample's stack: else MissingSymbol."""
    stacks = list(stacks)
    if symbols is None:
        symbols = {frame for stack in stacks for frame in stack}
        check_names(parts, symbols, "the profile's samples")
    else:
        check_names(parts, symbols, "the profiled program")
    total = 0
    inclusive = collections.Counter()
    leaf = collections.Counter()
    kernel = 0
    malloc = 0
    for stack in stacks:
        total += 1
        for label, names in parts:
            if any(matches(frame, name)
                   for frame in stack for name in names):
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


def summarize(perf_data, parts=PARTS, top=12, binary=None):
    """summarize_stacks of a perf.data file; with `binary`, the names are
    checked against what it and its libraries define."""
    symbols = defined_symbols(binary)[0] if binary else None
    return summarize_stacks(parse_samples(perf_data), parts, top, symbols)


def split_flat(rows, parts=SIGNING_PARTS, symbols=None, libraries=None):
    """`rows` of a flat profile, [(percent, library, symbol)], split into
    `parts`, first match wins; returns [(label, percent)] and "everything
    else". Names and libraries are checked against `symbols` and
    `libraries` (the program's), or, if None, against the rows."""
    rows = list(rows)
    if symbols is None:
        symbols = [sym for _, _, sym in rows]
    if libraries is None:
        libraries = [dso for _, dso, _ in rows]
    missing = []
    for label, libs, names, _ in parts:
        for lib in libs:
            if not any(l.startswith(lib) for l in libraries):
                missing.append("library %s (for %r)" % (lib, label))
        for name in names:
            if not any(name in s for s in symbols):
                missing.append("%s (for %r)" % (name, label))
    if missing:
        raise MissingSymbol("the profiled program lacks %s; update "
                            "SIGNING_PARTS in bench/profile_summary.py" %
                            ", ".join(missing))
    shares = collections.OrderedDict((label, 0.0) for label, *_ in parts)
    rest = 0.0
    for pct, dso, sym in rows:
        for label, libs, names, but_not in parts:
            if (dso.startswith(libs) if libs else False) or (
                    any(n in sym for n in names) and
                    not any(b in sym for b in but_not)):
                shares[label] += pct
                break
        else:
            rest += pct
    result = list(shares.items())
    result.append(("everything else", rest))
    return result


def summarize_flat(perf_data, parts=SIGNING_PARTS, binary=None):
    """split_flat of a flat perf.data file (no call graph)."""
    out = subprocess.run(
        ["perf", "report", "-i", perf_data, "--no-children", "--sort=dso,sym",
         "--stdio"], check=True, capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines():
        m = re.match(r"\s*([\d.]+)%\s+(\S+)\s+\[.\]\s+(.*)$", line)
        if m:
            rows.append((float(m.group(1)), m.group(2), m.group(3)))
    symbols, libraries = defined_symbols(binary) if binary else (None, None)
    return split_flat(rows, parts, symbols, libraries)


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    binary = None
    for a in argv:
        if a.startswith("--binary="):
            binary = a.split("=", 1)[1]
    parts = BATCH_PARTS if "--batch" in argv else PARTS
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        print(json.dumps(summarize(args[0], parts, binary=binary), indent=1))
    except MissingSymbol as e:
        print("profile_summary.py: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
