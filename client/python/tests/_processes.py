"""Test helpers: the real captoken server as a child process, the captoken
CLI, and a TCP listener that never answers."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import tempfile
import threading
import time
from typing import Dict, List, Optional

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
SERVER = os.environ.get("CAPTOKEN_SERVER",
                        os.path.join(REPO, "bazel-bin", "service", "server"))
CLI = os.environ.get("CAPTOKEN_CLI",
                     os.path.join(REPO, "bazel-bin", "client", "cli", "captoken"))

BUILD_HINT = ("build it with: cd {} && bazel build //service:server "
              "//client/cli:captoken (or set CAPTOKEN_SERVER / CAPTOKEN_CLI)"
              .format(REPO))


def require_executable(path: str, what: str) -> None:
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise RuntimeError(f"the {what} binary {path} is missing; {BUILD_HINT}")


class ServerProcess:
    """Runs ``$CAPTOKEN_SERVER --config=...`` on a free loopback port.

    The config (protobuf text format) is written to a temporary file with
    ``listen_address: "127.0.0.1:0"``; the port comes from the server's
    ``{"event":"listening",...,"port":N}`` log line on standard error.
    Standard error is drained by a thread for the whole run (the server logs
    an audit line per call) and kept in ``lines``.
    """

    def __init__(self, config_body: str, env: Dict[str, str],
                 start_timeout: float = 15.0) -> None:
        require_executable(SERVER, "server")
        self._dir = tempfile.TemporaryDirectory(prefix="captoken-py-e2e-")
        self.config_path = os.path.join(self._dir.name, "server.textproto")
        with open(self.config_path, "w", encoding="utf-8") as f:
            f.write('listen_address: "127.0.0.1:0"\n' + config_body)
        self.lines: List[str] = []
        self._lock = threading.Lock()
        self._listening = threading.Event()
        self.port: Optional[int] = None
        self.process = subprocess.Popen(
            [SERVER, f"--config={self.config_path}"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, env={**os.environ, **env})
        self._reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._reader.start()
        deadline = time.monotonic() + start_timeout
        while not self._listening.wait(0.05):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self._reader.join(2)
                self.kill()
                raise RuntimeError(
                    "the server did not start listening; it printed:\n"
                    + self.output())
        self.target = f"127.0.0.1:{self.port}"

    def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        for raw in self.process.stderr:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            with self._lock:
                self.lines.append(line)
            if self.port is None and '"event":"listening"' in line:
                try:
                    self.port = int(json.loads(line)["port"])
                except (ValueError, KeyError, TypeError):
                    continue
                self._listening.set()

    def output(self) -> str:
        with self._lock:
            return "\n".join(self.lines)

    def events(self, event: str) -> List[dict]:
        """The parsed log lines whose ``event`` is ``event``."""
        out = []
        with self._lock:
            lines = list(self.lines)
        for line in lines:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if record.get("event") == event:
                out.append(record)
        return out

    def terminate(self, timeout: float = 20.0) -> int:
        """Sends SIGTERM and returns the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            status = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise
        self._reader.join(5)
        self._dir.cleanup()
        return status

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._dir.cleanup()


def cli_sign(request_json: str, auth_token_env: str, issued_at: int,
             env: Dict[str, str], kind: str = "capability",
             secret_flag: str = "--auth-token-env") -> str:
    """Signs locally with ``$CAPTOKEN_CLI sign KIND``; returns the token.

    ``kind`` is ``capability``, ``taskrouter`` or ``access``; ``secret_flag``
    names the flag that takes the secret's environment variable
    (``--auth-token-env``, or the API key secret's flag for ``access``).
    """
    require_executable(CLI, "CLI")
    result = subprocess.run(
        [CLI, "sign", kind, f"--request={request_json}",
         f"{secret_flag}={auth_token_env}", f"--issued-at={issued_at}"],
        stdin=subprocess.DEVNULL, capture_output=True,
        env={**os.environ, **env}, timeout=30)
    if result.returncode != 0:
        raise AssertionError(
            f"captoken sign {kind} failed ({result.returncode}): "
            f"{result.stderr.decode('utf-8', 'replace')}\nrequest: {request_json}")
    out = result.stdout.decode("utf-8")
    if not out.endswith("\n") or out.count("\n") != 1:
        raise AssertionError(f"captoken sign printed more than a token: {out!r}")
    return out[:-1]


class SilentServer:
    """A TCP listener on 127.0.0.1:0 that accepts connections, reads and
    discards what it is sent, and never writes a byte."""

    def __init__(self) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(16)
        self.port = self._socket.getsockname()[1]
        self.target = f"127.0.0.1:{self.port}"
        self.accepted = 0
        self._connections: List[socket.socket] = []
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                conn, _ = self._socket.accept()
            except OSError:
                return
            self.accepted += 1
            self._connections.append(conn)
            threading.Thread(target=self._drain, args=(conn,), daemon=True).start()

    @staticmethod
    def _drain(conn: socket.socket) -> None:
        try:
            while conn.recv(65536):
                pass
        except OSError:
            pass

    def close(self) -> None:
        self._closed = True
        self._socket.close()
        for conn in self._connections:
            try:
                conn.close()
            except OSError:
                pass
