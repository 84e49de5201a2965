"""Small parsers the rules share: durations, quantities, flags, text-format
configs (through protoc), and the Dockerfile's stages."""

import re
import subprocess

import yaml

PROTOC = "/usr/bin/protoc"


def load_yaml_docs(path):
    with open(path, encoding="utf-8") as file:
        return [doc for doc in yaml.safe_load_all(file) if doc is not None]


def parse_duration_seconds(text):
    """An absl duration flag value such as 10s, 1m30s, 500ms."""
    units = {"h": 3600, "m": 60, "s": 1, "ms": 0.001, "us": 1e-6, "ns": 1e-9}
    total, rest = 0.0, text
    for number, unit in re.findall(r"([0-9.]+)(ms|us|ns|h|m|s)", text):
        total += float(number) * units[unit]
        rest = rest.replace(number + unit, "", 1)
    if rest or not text:
        raise ValueError(f"not a duration: {text!r}")
    return total


def parse_quantity(text):
    """A Kubernetes CPU or memory quantity, as a number."""
    text = str(text)
    suffixes = {"m": 1e-3, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "k": 1e3, "M": 1e6, "G": 1e9}
    for suffix, factor in suffixes.items():
        if text.endswith(suffix):
            return float(text[: -len(suffix)]) * factor
    return float(text)


def flag(args, name, default=None):
    for arg in args:
        if arg.startswith(f"--{name}="):
            return arg.split("=", 1)[1]
    return default


def textproto_strings(text, field):
    """Every `field: "value"` in a text-format message."""
    return re.findall(r'\b' + re.escape(field) + r'\s*:\s*"([^"]*)"', text)


def find_all(node, key):
    """Every value of `key` anywhere under node."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key:
                yield v
            yield from find_all(v, key)
    elif isinstance(node, list):
        for item in node:
            yield from find_all(item, key)


def _protoc(mode, data):
    return subprocess.run(
        [PROTOC, f"--{mode}=captoken.v1.ServerConfig", "-I", "proto",
         "proto/captoken/v1/config.proto"], input=data, capture_output=True, check=False)


def server_config_error(text):
    """protoc's complaint about `text` as a captoken.v1.ServerConfig, or None."""
    result = _protoc("encode", text.encode())
    if result.returncode == 0:
        return None
    return result.stderr.decode(errors="replace").strip() or "protoc failed"


def canonical_config(text):
    """The config in protoc's canonical text form, without the top-level
    fields the variants may differ in (listen_address, transport); None if
    it does not parse."""
    encoded = _protoc("encode", text.encode())
    if encoded.returncode != 0:
        return None
    decoded = _protoc("decode", encoded.stdout)
    kept, skipping = [], False
    for line in decoded.stdout.decode().splitlines():
        if not line.startswith(" "):
            skipping = line.startswith(("listen_address:", "transport {"))
            if line == "}" and skipping:
                continue
        if not skipping:
            kept.append(line)
    return "\n".join(kept)


def dockerfile_stages(path):
    """[{"from", "as", "lines": [(INSTRUCTION, rest)]}] for each stage."""
    with open(path, encoding="utf-8") as file:
        text = re.sub(r"\\\n", " ", file.read())
    lines = [l.strip() for l in text.splitlines() if l.strip() and not l.strip().startswith("#")]
    stages, current = [], None
    for line in lines:
        instruction, _, rest = line.partition(" ")
        instruction = instruction.upper()
        if instruction == "FROM":
            current = {"from": rest.split()[0], "as": rest.split()[-1] if " AS " in
                       line.upper() else None, "lines": []}
            stages.append(current)
        elif current is not None:
            current["lines"].append((instruction, rest.strip()))
    return stages


def image_list(path):
    """deploy/image.list as {KEY: [VALUE, ...]}, one VALUE (the rest of its
    line) per entry, in order."""
    entries = {}
    with open(path, encoding="utf-8") as file:
        for line in file:
            line = line.strip()
            if line and not line.startswith("#"):
                key, _, value = line.partition(" ")
                entries.setdefault(key, []).append(value.strip())
    return entries


def image_binaries(path):
    """The binaries deploy/image.list (at `path`) puts in the image, as
    paths inside the image."""
    return {value.split()[-1] for value in image_list(path).get("binary", [])}
