"""Server processes for the end-to-end tests: start, wait until ready, stop, report.

Our executables (`facegate-interop`, `facegate serve`) take `--host 127.0.0.1 --port 0` and
print one stdout line `listening on 127.0.0.1:PORT` once they accept connections; their logs
go to stderr. grpc-go's reference interop server prints nothing useful, so for it the port is
chosen here and readiness is a successful TCP connect.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field

LISTENING = re.compile(r"listening on ([0-9.]+|\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d+)")

READY_TIMEOUT_S = 60.0  # generous: debug builds on a busy 2-core machine start slowly


def free_port() -> int:
    """A TCP port that was free a moment ago on 127.0.0.1 (for servers that cannot take 0)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_tcp(host: str, port: int, timeout_s: float) -> bool:
    """True once a TCP connect to host:port succeeds, False after timeout_s seconds."""
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        try:
            with socket.create_connection((host, port), timeout=1.0):
                return True
        except OSError:
            time.sleep(0.05)
    return False


@dataclass
class ServerProcess:
    """One server process started by a test fixture.

    `target` is "host:port" for grpc channels. Stderr goes to a temporary file whose tail is
    attached to failing tests; stdout is drained by a thread so the server never blocks on it.
    """

    name: str
    argv: list[str]
    proc: subprocess.Popen | None = None
    host: str = "127.0.0.1"
    port: int = 0
    stderr_path: str = ""
    stdout_lines: list[str] = field(default_factory=list)
    _reader: threading.Thread | None = None

    @property
    def target(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def start_ours(self) -> "ServerProcess":
        """Starts one of our executables with --port 0 and waits for its `listening on` line."""
        self._spawn()
        ready = threading.Event()

        def read_stdout() -> None:
            assert self.proc and self.proc.stdout
            for raw in self.proc.stdout:
                line = raw.decode("utf-8", "replace").rstrip("\n")
                self.stdout_lines.append(line)
                m = LISTENING.search(line)
                if m and not ready.is_set():
                    self.host = m.group(1).strip("[]")
                    self.port = int(m.group(2))
                    ready.set()

        self._reader = threading.Thread(target=read_stdout, name=f"{self.name}-stdout", daemon=True)
        self._reader.start()
        end = time.monotonic() + READY_TIMEOUT_S
        while not ready.wait(0.1):
            if self.proc.poll() is not None or time.monotonic() > end:
                why = "exited with %s" % self.proc.returncode if self.proc.poll() is not None else "timed out"
                self.stop()
                raise RuntimeError(
                    f"{self.name} did not print 'listening on HOST:PORT' ({why}).\n"
                    f"argv: {self.argv}\nstdout: {self.stdout_lines[-5:]}\nstderr tail:\n{self.stderr_tail()}"
                )
        if not wait_for_tcp(self.host, self.port, 10.0):
            self.stop()
            raise RuntimeError(f"{self.name} printed {self.target} but does not accept connections")
        return self

    def start_with_port(self, port: int) -> "ServerProcess":
        """Starts a server whose argv already names `port`; ready when a TCP connect succeeds."""
        self.port = port
        self._spawn()
        assert self.proc and self.proc.stdout
        stdout = self.proc.stdout
        self._reader = threading.Thread(target=lambda: [None for _ in stdout], daemon=True)
        self._reader.start()
        if not wait_for_tcp(self.host, port, READY_TIMEOUT_S) or self.proc.poll() is not None:
            self.stop()
            raise RuntimeError(f"{self.name} is not accepting on {self.target}.\nstderr:\n{self.stderr_tail()}")
        return self

    def _spawn(self) -> None:
        fd, self.stderr_path = tempfile.mkstemp(prefix=f"{self.name}-", suffix=".stderr")
        with os.fdopen(fd, "wb") as err:
            self.proc = subprocess.Popen(
                self.argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err,
                start_new_session=True,
            )

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def rss_bytes(self) -> int:
        """Resident set size of the server process (Linux /proc), in bytes."""
        assert self.proc is not None
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        raise RuntimeError("no VmRSS in /proc status")

    def terminate(self) -> None:
        """Sends SIGTERM (graceful drain) without waiting."""
        if self.alive():
            assert self.proc is not None
            self.proc.send_signal(signal.SIGTERM)

    def wait(self, timeout_s: float) -> int | None:
        """Exit code, or None if still running after timeout_s seconds."""
        assert self.proc is not None
        try:
            return self.proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            return None

    def stop(self) -> None:
        """Always ends the process: SIGTERM, then SIGKILL after 10 s. Safe to call twice."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if self.proc.stdout:
            self.proc.stdout.close()

    def stderr_tail(self, lines: int = 40) -> str:
        try:
            with open(self.stderr_path, "rb") as f:
                data = f.read()[-20000:]
        except OSError:
            return "(no stderr captured)"
        return "\n".join(data.decode("utf-8", "replace").splitlines()[-lines:])

    def cleanup(self) -> None:
        self.stop()
        if self.stderr_path:
            try:
                os.unlink(self.stderr_path)
            except OSError:
                pass
