"""Process-level behaviour of the interop server: SIGTERM drain, TLS with ALPN h2."""

from __future__ import annotations

import os
import re
import socket
import ssl
import subprocess
import threading
import time

import grpc
import pytest

import conftest
from raw_h2 import RawH2, grpc_frame

RPC_TIMEOUT_S = 30
EXIT_WAIT_S = 40  # drain grace + margin; a server that never exits fails here


@pytest.mark.needs_process
@pytest.mark.ours_only("grpc-go's interop-server has no SIGTERM handler (it dies with the signal)")
def test_sigterm_drains_in_flight_calls_and_exits_zero(fresh_interop_server, pb):
    srv = fresh_interop_server()
    channel = grpc.insecure_channel(srv.target)
    stub = pb.test_grpc.TestServiceStub(channel)
    n_calls, n_responses = 4, 6
    req = pb.messages.StreamingOutputCallRequest(
        response_parameters=[pb.messages.ResponseParameters(size=100, interval_us=300_000)] * n_responses)
    results: list[tuple[int, grpc.StatusCode | None]] = [(0, None)] * n_calls
    started = [threading.Event() for _ in range(n_calls)]

    def run(i: int) -> None:
        got = 0
        try:
            for _ in stub.StreamingOutputCall(req, timeout=RPC_TIMEOUT_S):
                got += 1
                started[i].set()
            results[i] = (got, grpc.StatusCode.OK)
        except grpc.RpcError as e:
            results[i] = (got, e.code())
        started[i].set()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n_calls)]
    for t in threads:
        t.start()
    for ev in started:
        assert ev.wait(RPC_TIMEOUT_S), "calls did not start"

    srv.terminate()
    time.sleep(0.3)
    # while draining: a new connection is refused, or is not served
    try:
        with RawH2(srv.host, srv.port) as h:
            sid = h.start("/grpc.testing.TestService/EmptyCall", grpc_frame(b""))
            h.wait_for(lambda: h.streams[sid].finished or h.closed or h.goaway is not None)
            st = h.streams[sid]
            assert st.grpc_status != 0, f"a new connection was served during the drain: {st}"
    except (ConnectionRefusedError, ConnectionResetError, BrokenPipeError):
        pass

    for t in threads:
        t.join(RPC_TIMEOUT_S)
    code = srv.wait(EXIT_WAIT_S)
    channel.close()
    assert code == 0, f"exit status {code} after SIGTERM"
    for got, status in results:
        assert status in (grpc.StatusCode.OK, grpc.StatusCode.UNAVAILABLE), results
        if status == grpc.StatusCode.OK:
            assert got == n_responses
    with pytest.raises(OSError):
        socket.create_connection((srv.host, srv.port), timeout=5).close()


@pytest.mark.needs_process
@pytest.mark.ours_only("grpc-go's interop-server dies on SIGTERM instead of draining")
def test_sigterm_idle_server_exits_zero(fresh_interop_server):
    srv = fresh_interop_server()
    srv.terminate()
    assert srv.wait(EXIT_WAIT_S) == 0


# -- TLS -----------------------------------------------------------------------------------------

def make_cert(tmp_dir: str) -> tuple[str, str]:
    """A self-signed certificate for localhost / 127.0.0.1 (openssl CLI); returns (cert, key)."""
    cert, key = os.path.join(tmp_dir, "cert.pem"), os.path.join(tmp_dir, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-keyout", key, "-out", cert, "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                   check=True, capture_output=True)
    return cert, key


def tls_args(cert: str, key: str) -> list[str]:
    """Server flags that turn TLS on, for grpc-go's server or for ours (read from --help)."""
    if conftest.server_kind() == "reference":
        return ["--use_tls=true", f"--tls_cert_file={cert}", f"--tls_key_file={key}"]
    helptext = subprocess.run([conftest.our_binary("facegate-interop"), "--help"],
                              capture_output=True, text=True, timeout=60).stdout
    cert_opt = re.search(r"(--(?:tls-)?cert(?:ificate)?(?:-(?:file|chain|path))?)\b", helptext)
    key_opt = re.search(r"(--(?:tls-)?(?:private-)?key(?:-(?:file|path))?)\b", helptext)
    if not (cert_opt and key_opt):
        pytest.skip("facegate-interop --help lists no TLS certificate/key options: TLS not built yet")
    return [cert_opt.group(1), cert, key_opt.group(1), key]


@pytest.mark.needs_process
def test_tls_with_alpn_h2(fresh_interop_server, pb, tmp_dir):
    cert, key = make_cert(tmp_dir)
    srv = fresh_interop_server(tls_args(cert, key))
    with open(cert, "rb") as f:
        root = f.read()
    creds = grpc.ssl_channel_credentials(root_certificates=root)
    with grpc.secure_channel(f"localhost:{srv.port}", creds) as ch:
        stub = pb.test_grpc.TestServiceStub(ch)
        assert stub.EmptyCall(pb.empty.Empty(), timeout=RPC_TIMEOUT_S).ByteSize() == 0
        reply = stub.UnaryCall(pb.messages.SimpleRequest(response_size=314159), timeout=RPC_TIMEOUT_S)
        assert len(reply.payload.body) == 314159

    ctx = ssl.create_default_context(cafile=cert)
    ctx.set_alpn_protocols(["h2"])
    with RawH2("127.0.0.1", srv.port, tls_context=ctx, server_hostname="localhost") as h:
        assert h.sock.selected_alpn_protocol() == "h2"
        assert h.call("/grpc.testing.TestService/EmptyCall", b"").grpc_status == 0

    # a cleartext client on the TLS port is turned away, and the server keeps serving TLS
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as s:
        s.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\0" * 64)
        s.settimeout(10)
        try:
            while s.recv(4096):
                pass
        except (ConnectionResetError, socket.timeout, TimeoutError):
            pass
    with grpc.secure_channel(f"localhost:{srv.port}", creds) as ch:
        stub = pb.test_grpc.TestServiceStub(ch)
        assert stub.EmptyCall(pb.empty.Empty(), timeout=RPC_TIMEOUT_S).ByteSize() == 0
