"""`facegate serve` with real grpcio clients: health, and the public API's methods.

The Python client package (Clients/python: generated `facegate.v1` stubs + `facegate_client`)
is used exactly as a user would use it.
"""

from __future__ import annotations

import os
import subprocess
import sys

import grpc
import pytest

import conftest
from server_process import ServerProcess

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CLIENTS_PY = os.path.join(REPO, "Clients", "python")
sys.path.insert(0, CLIENTS_PY)

from facegate.v1 import facegate_pb2  # noqa: E402
import facegate_client  # noqa: E402

RPC_TIMEOUT_S = 60  # generous for debug builds; a hang would exceed it

pytestmark = pytest.mark.ours_only("`facegate serve` is ours; grpc-go has no FaceGate service")


@pytest.fixture(scope="module")
def serve(tmp_path_factory):
    """`facegate serve --port 0 --gallery <tmp>` for this module; stopped at teardown."""
    binary = conftest.our_binary("facegate")
    argv = [binary, "serve", "--host", "127.0.0.1", "--port", "0", "--metrics-port", "0"]
    # --gallery arrives with the gallery/service issues; pass it once `serve` knows it
    helptext = subprocess.run([binary, "serve", "--help"], capture_output=True, text=True, timeout=60).stdout
    if "--gallery" in helptext:
        argv += ["--gallery", str(tmp_path_factory.mktemp("gallery") / "gallery.sqlite")]
    srv = ServerProcess("facegate-serve", argv)
    conftest._STARTED.append(srv)
    try:
        yield srv.start_ours()
    finally:
        srv.cleanup()
        conftest._STARTED.remove(srv)


@pytest.fixture
def client(serve):
    with facegate_client.connect(serve.target) as c:
        c.wait_until_serving(timeout_s=180)
        yield c
    assert serve.alive(), "facegate serve died during the test"


def test_health_check_serving(client):
    assert client.health("") == "SERVING"


def test_health_check_facegate_service_known(client):
    assert client.health(facegate_client.client.FACEGATE_SERVICE) in ("SERVING", "NOT_SERVING")


def test_health_check_unknown_service_not_found(client):
    with pytest.raises(facegate_client.FaceGateClientError) as err:
        client.health("no.such.Service")
    assert err.value.code == grpc.StatusCode.NOT_FOUND


METHODS = list(facegate_pb2.DESCRIPTOR.services_by_name["FaceGate"].methods)


@pytest.mark.parametrize("method", METHODS, ids=[m.name for m in METHODS])
def test_every_method_is_implemented_and_answers_promptly(client, method):
    """Every facegate.v1.FaceGate method answers an empty request promptly with an OK or a clear
    client-error status, whatever its call shape; none is UNIMPLEMENTED and none hangs."""
    from google.protobuf import message_factory
    request_cls = message_factory.GetMessageClass(method.input_type)
    call = getattr(client.facegate, method.name)
    try:
        if method.client_streaming:
            result = call(iter([request_cls()]), timeout=RPC_TIMEOUT_S)
        else:
            result = call(request_cls(), timeout=RPC_TIMEOUT_S)
        if method.server_streaming:
            list(result)
    except grpc.RpcError as err:
        assert err.code() in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.NOT_FOUND), (err.code(), err.details())
        assert err.details()
