"""The deployment smoke test: the real server with each variant's ConfigMap,
its files laid out as the kubelet lays them out (test certificates standing
in for cert-manager's), each exec probe run as the kubelet runs it, a Secret
update reloading the auth tokens, and SIGTERM draining within the pod's
termination grace period."""

import json
import os
import re
import signal
import subprocess
import tempfile
import threading
import time

from checks import kustomize
from checks.tree import VARIANT_DIRECTORIES

# Test stand-ins for the Secrets' files (tests/testing/make_test_pki.sh).
TEST_SECRET_FILES = {
    ("captoken-server-tls", "tls.crt"): "server.pem",
    ("captoken-server-tls", "tls.key"): "server.key",
    ("captoken-server-tls", "ca.crt"): "ca.pem",
    # The probe: an identity no caller policy names.
    ("captoken-probe-tls", "tls.crt"): "batch.pem",
    ("captoken-probe-tls", "tls.key"): "batch.key",
}


def write_atomic_dir(directory, files, generation):
    """A Secret or ConfigMap volume as the kubelet writes it: files in a
    timestamped directory, `..data` linking to it, and each name linking
    through `..data`; a new generation replaces `..data` in one rename."""
    os.makedirs(directory, exist_ok=True)
    version = f"..{generation:04d}_generation"
    os.makedirs(os.path.join(directory, version))
    for relative, content in files.items():
        path = os.path.join(directory, version, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as file:
            file.write(content)
    os.symlink(version, os.path.join(directory, "..data_tmp"))
    os.rename(os.path.join(directory, "..data_tmp"), os.path.join(directory, "..data"))
    for relative in files:
        top = relative.split("/")[0]
        link = os.path.join(directory, top)
        if not os.path.lexists(link):
            os.symlink(os.path.join("..data", top), link)


class ServerProcess:
    def __init__(self, command):
        self.lines = []
        self.process = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for raw in self.process.stderr:
            self.lines.append(raw.decode(errors="replace").rstrip("\n"))

    def events(self):
        found = []
        for line in list(self.lines):
            try:
                found.append(json.loads(line))
            except json.JSONDecodeError:
                pass
        return found

    def wait_for(self, event, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for entry in self.events():
                if entry.get("event") == event:
                    return entry
                if entry.get("event") == "startup_failed":
                    return entry
            if self.process.poll() is not None:
                time.sleep(0.1)
                return next((e for e in self.events() if e.get("event") in (event, "startup_failed")),
                            None)
            time.sleep(0.05)
        return None

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def smoke_variant(name, resources, binaries, pki, root, report, rotate):
    where = f"[{name}] smoke"
    deployment = next(r for r in resources if r["kind"] == "Deployment")
    pod_spec = deployment["spec"]["template"]["spec"]
    container = next(c for c in pod_spec["containers"] if c["name"] == "server")
    volumes = {v["name"]: v for v in pod_spec["volumes"]}
    config_maps = {r["metadata"]["name"]: r for r in resources if r["kind"] == "ConfigMap"}
    mounts = [m["mountPath"] for m in container.get("volumeMounts", [])]

    mount_pattern = re.compile(
        r'(^|["=])(' + "|".join(re.escape(m) for m in sorted(mounts, key=len, reverse=True))
        + r")(?=/|\"|$)", re.MULTILINE)

    def relocate(text):  # one pass: a relocated path is never relocated again
        return mount_pattern.sub(lambda m: m.group(1) + root + m.group(2), text)

    auth = {"auth-token": b"old-auth-token-0123456789\n",
            "secondary-auth-token": b"old-auth-token-0123456789\n"}
    secret_dirs = {}
    for mount in container.get("volumeMounts", []):
        volume = volumes[mount["name"]]
        target = root + mount["mountPath"]
        files = {}
        if "projected" in volume or "configMap" in volume or "secret" in volume:
            sources = volume["projected"]["sources"] if "projected" in volume else [volume]
            for source in sources:
                if "configMap" in source:
                    data = config_maps[source["configMap"]["name"]]["data"]
                    for item in source["configMap"].get("items", [{"key": k, "path": k} for k in data]):
                        files[item["path"]] = relocate(data[item["key"]]).encode()
                else:
                    secret = source["secret"].get("secretName") or source["secret"].get("name")
                    items = source["secret"].get("items")
                    if items is None:  # an account's Secret: auth-token files
                        files.update(auth)
                        secret_dirs[target] = dict(auth)
                    for item in items or []:
                        stand_in = TEST_SECRET_FILES.get((secret, item["key"]))
                        if not report.check(stand_in, where, f"no test file for {secret}/{item['key']}"):
                            continue
                        with open(os.path.join(pki, stand_in), "rb") as file:
                            files[item["path"]] = file.read()
            write_atomic_dir(target, files, 1)
        else:
            os.makedirs(target, exist_ok=True)

    args = [relocate(a) for a in container.get("args", [])]
    process = ServerProcess([binaries["/captoken/server"]] + args + ["--listen=127.0.0.1:0"])
    try:
        listening = process.wait_for("listening", 30)
        if not report.check(listening and listening.get("event") == "listening", where,
                            "the server did not start with this config: "
                            + "\n".join(process.lines[-5:])):
            return
        port = listening["port"]
        for probe_name in ("readinessProbe", "livenessProbe"):
            command = container[probe_name]["exec"]["command"]
            command = [binaries.get(command[0], command[0])] + [
                re.sub(r":50051$", f":{port}", relocate(a)) for a in command[1:]]
            result = subprocess.run(command, capture_output=True, text=True, check=False,
                                    timeout=container[probe_name].get("timeoutSeconds", 1) + 5)
            report.check(result.returncode == 0, where,
                         f"the {probe_name} fails against the server: {result.stderr.strip()}")
        if rotate:
            # Step 1 of docs/deploy.md's rotation: the new token as secondary,
            # written the way the kubelet updates a Secret volume.
            interval = re.search(r"secret_watch_interval\s*\{\s*seconds:\s*(\d+)",
                                 relocate(config_maps["captoken-config"]["data"]["config.textproto"]))
            interval = int(interval.group(1)) if interval else 10
            for directory, files in secret_dirs.items():
                files["secondary-auth-token"] = b"new-auth-token-9876543210\n"
                write_atomic_dir(directory, files, 2)
            reloaded = process.wait_for("reloaded", interval + 10)
            report.check(reloaded and reloaded.get("event") == "reloaded", where,
                         "the server did not reload after the Secret's files changed: "
                         + "\n".join(process.lines[-3:]))
        grace = pod_spec.get("terminationGracePeriodSeconds", 30)
        start = time.monotonic()
        process.process.send_signal(signal.SIGTERM)
        try:
            code = process.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            code = None
        report.check(code == 0, where,
                     f"on SIGTERM the server did not drain and exit 0 within {grace} s "
                     f"(exit {code}, {time.monotonic() - start:.1f} s)")
        process.reader.join(timeout=5)
        report.check(process.wait_for("stopped", 1), where, "no `stopped` log line after SIGTERM")
    finally:
        process.stop()


def run_smoke(report, server_binary, cli_binary, pki_script):
    """Adds to `report` whatever fails; renders each variant with kubectl."""
    binaries = {"/captoken/server": os.path.abspath(server_binary),
                "/captoken/captoken": os.path.abspath(cli_binary)}
    work = tempfile.mkdtemp(prefix="captoken_smoke_", dir=os.environ.get("TEST_TMPDIR"))
    pki = os.path.join(work, "pki")
    subprocess.run(["bash", pki_script, pki], check=True)
    for name, directory in VARIANT_DIRECTORIES.items():
        smoke_variant(name, kustomize.render(".", directory), binaries, pki,
                      os.path.join(work, name), report, rotate=(name == "default"))

