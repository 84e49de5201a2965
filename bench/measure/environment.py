"""Where the measurement runs: the repository, its built binaries, the
packages it needs, and a description of the machine and the build that the
report states beside the numbers."""

import datetime
import os
import platform
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
BIN = os.path.join(REPO, "bazel-bin")

# The Debian packages whose versions the report states: what the servers
# and the benchmark are built against.
BUILD_PACKAGES = ("gcc", "libssl-dev", "libgrpc++-dev", "libprotobuf-dev",
                  "libtcmalloc-minimal4")


def log(*args):
    print("run.py:", *args, file=sys.stderr, flush=True)


def run(cmd, cwd=REPO):
    return subprocess.run(cmd, cwd=cwd, check=True, text=True,
                          capture_output=True).stdout


def bazel_build(targets):
    flags = os.environ.get("CAPTOKEN_BAZEL_FLAGS", "").split()
    subprocess.run(["bazel", "build", "--noshow_progress"] +
                   flags + targets, cwd=REPO, check=True)


def ensure_packages():
    """bazel/setup.sh bench: matplotlib, PyJWT, perf, npm (Debian)."""
    result = subprocess.run([os.path.join(REPO, "bazel/setup.sh"), "bench"],
                            cwd=REPO)
    if result.returncode != 0:
        log("bazel/setup.sh bench failed; continuing with what is installed")


def package_versions():
    """{package: Debian version} of BUILD_PACKAGES, those installed."""
    versions = {}
    for package in BUILD_PACKAGES:
        try:
            version = run(["dpkg-query", "-W", "-f=${Version}", package])
        except (OSError, subprocess.CalledProcessError):
            continue
        if version:
            versions[package] = version
    return versions


def machine():
    cpu = "unknown CPU"
    flags = set()
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name") and cpu == "unknown CPU":
                cpu = line.split(":", 1)[1].strip()
            elif line.startswith("flags") and not flags:
                flags = set(line.split(":", 1)[1].split())
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "sha_ni": "sha_ni" in flags,
        "memory_gib": round(mem_kb / 1024 / 1024),
        "kernel": platform.release(),
        "load": os.getloadavg()[0],
        "date": datetime.datetime.now(datetime.timezone.utc).strftime(
            "%Y-%m-%d %H:%M UTC"),
        "packages": package_versions(),
    }
