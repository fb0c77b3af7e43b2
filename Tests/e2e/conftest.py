"""Fixtures for the end-to-end tests: real servers on loopback, real gRPC / HTTP/2 clients.

Which interop server the tests talk to:
- default: our `$FACEGATE_BIN_DIR/facegate-interop --port 0` (scripts/test.sh sets the dir);
- `FACEGATE_E2E_REFERENCE_SERVER=/tmp/grpc-interop-bin/interop-server`: grpc-go's interop
  server, started and stopped by the fixtures like ours (the tests' own reference: a test that
  fails there is a wrong test, unless it is marked `ours_only`);
- `FACEGATE_E2E_TARGET=host:port`: a server somebody else runs. Tests that need the process
  (memory, signals, restarts) are skipped with a message saying so.
"""

from __future__ import annotations

import os
import shutil
import tempfile

import grpc
import pytest

import interop_stubs
from server_process import ServerProcess, free_port

BIN_DIR = os.environ.get("FACEGATE_BIN_DIR", "")
REFERENCE = os.environ.get("FACEGATE_E2E_REFERENCE_SERVER", "")
EXTERNAL = os.environ.get("FACEGATE_E2E_TARGET", "")


def server_kind() -> str:
    """'external', 'reference' (grpc-go) or 'ours'."""
    if EXTERNAL:
        return "external"
    if REFERENCE:
        return "reference"
    return "ours"


def our_binary(name: str) -> str:
    if not BIN_DIR:
        pytest.fail("FACEGATE_BIN_DIR is not set: run via scripts/test.sh, or "
                    "FACEGATE_BIN_DIR=$(swift build --show-bin-path) .venv/bin/python -m pytest Tests/e2e")
    path = os.path.join(BIN_DIR, name)
    if not os.access(path, os.X_OK):
        pytest.fail(f"{path} is missing: build it with `swift build --product {name}`")
    return path


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "ours_only(reason): FaceGate behaviour the reference server "
                            "(grpc-go 1.33) does not have; skipped when testing the reference")
    config.addinivalue_line("markers", "needs_process: needs the server process (pid, signals)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    kind = server_kind()
    for item in items:
        m = item.get_closest_marker("ours_only")
        if m and kind != "ours":
            why = m.args[0] if m.args else ""
            item.add_marker(pytest.mark.skip(reason=f"FaceGate-specific, not run against {kind}: {why}"))
        if item.get_closest_marker("needs_process") and kind == "external":
            item.add_marker(pytest.mark.skip(reason="needs the server process; FACEGATE_E2E_TARGET is external"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call):  # noqa: ANN001
    """Attaches the tail of every started server's stderr to a failing test's report."""
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        for p in _STARTED:
            if p.stderr_path:
                report.sections.append((f"{p.name} stderr (tail)", p.stderr_tail()))


_STARTED: list[ServerProcess] = []  # every process started in this session, for reports


@pytest.fixture(scope="session")
def pb(tmp_path_factory: pytest.TempPathFactory):
    """grpc.testing stubs: .empty, .messages, .test, .test_grpc (generated at session start)."""
    return interop_stubs.generate(str(tmp_path_factory.mktemp("interop-stubs")))


def start_interop_server(extra_args: list[str] | None = None, name: str = "interop") -> ServerProcess:
    """Starts our facegate-interop (or grpc-go's reference server) on a loopback port."""
    extra = extra_args or []
    if server_kind() == "reference":
        port = free_port()
        srv = ServerProcess(f"{name}-grpc-go", [REFERENCE, "--host=127.0.0.1", f"--port={port}", *extra])
        _STARTED.append(srv)
        return srv.start_with_port(port)
    srv = ServerProcess(name, [our_binary("facegate-interop"), "--host", "127.0.0.1", "--port", "0", *extra])
    _STARTED.append(srv)
    return srv.start_ours()


class ExternalServer:
    """Stands in for a ServerProcess when FACEGATE_E2E_TARGET names a running server."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.host, port = target.rsplit(":", 1)
        self.port = int(port)
        self.proc = None
        self.stderr_path = ""

    def alive(self) -> bool:
        return True


@pytest.fixture(scope="session")
def interop_session_server():
    """The session's shared interop server (ServerProcess, or ExternalServer)."""
    if server_kind() == "external":
        yield ExternalServer(EXTERNAL)
        return
    srv = start_interop_server()
    try:
        yield srv
    finally:
        srv.cleanup()
        _STARTED.remove(srv)


@pytest.fixture
def interop_server(interop_session_server):
    """The shared interop server; after each test, checks that the process is still alive."""
    yield interop_session_server
    assert interop_session_server.alive(), (
        "the interop server process died during this test:\n"
        + (interop_session_server.stderr_tail() if isinstance(interop_session_server, ServerProcess) else ""))


@pytest.fixture
def fresh_interop_server():
    """A factory of private interop servers (for signals and memory); all stopped at teardown."""
    started: list[ServerProcess] = []

    def start(extra_args: list[str] | None = None) -> ServerProcess:
        srv = start_interop_server(extra_args, name=f"interop-private{len(started)}")
        started.append(srv)
        return srv

    yield start
    for srv in started:
        srv.cleanup()
        if srv in _STARTED:
            _STARTED.remove(srv)


@pytest.fixture
def channel(interop_server):
    """An insecure grpcio channel to the interop server, closed at teardown."""
    ch = grpc.insecure_channel(interop_server.target)
    try:
        grpc.channel_ready_future(ch).result(timeout=20)
        yield ch
    finally:
        ch.close()


@pytest.fixture
def stub(channel, pb):
    """grpc.testing.TestService stub on `channel`."""
    return pb.test_grpc.TestServiceStub(channel)


@pytest.fixture
def tmp_dir():
    d = tempfile.mkdtemp(prefix="facegate-e2e-")
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)
