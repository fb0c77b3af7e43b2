"""The 14 standard gRPC interop cases, run with Python grpcio against the interop server.

Written from gRPC's public interop test descriptions (doc/interop-test-descriptions.md):
each test follows a case's procedure and asserts what the description says a client asserts.
"""

from __future__ import annotations

import grpc
import pytest

RPC_TIMEOUT_S = 30  # every call is bounded: a hang fails the test instead of blocking the suite

CLIENT_STREAM_SIZES = (27182, 8, 1828, 45904)
SERVER_STREAM_SIZES = (31415, 9, 2653, 58979)
STATUS_MESSAGE = "test status message"
SPECIAL_STATUS_MESSAGE = "\t\ntest with whitespace\r\nand Unicode BMP \u263a and non-BMP \U0001f608\t\n"
ECHO_INITIAL = ("x-grpc-test-echo-initial", "test_initial_metadata_value")
ECHO_TRAILING = ("x-grpc-test-echo-trailing-bin", b"\xab\xab\xab")


def payload(pb, size: int):
    return pb.messages.Payload(body=b"\0" * size)


def test_empty_unary(stub, pb):
    reply = stub.EmptyCall(pb.empty.Empty(), timeout=RPC_TIMEOUT_S)
    assert reply is not None
    assert reply.ByteSize() == 0


def test_large_unary(stub, pb):
    req = pb.messages.SimpleRequest(response_size=314159, payload=payload(pb, 271828))
    reply = stub.UnaryCall(req, timeout=RPC_TIMEOUT_S)
    assert len(reply.payload.body) == 314159
    assert reply.payload.body == b"\0" * 314159


def test_client_streaming(stub, pb):
    reqs = iter([pb.messages.StreamingInputCallRequest(payload=payload(pb, n)) for n in CLIENT_STREAM_SIZES])
    reply = stub.StreamingInputCall(reqs, timeout=RPC_TIMEOUT_S)
    assert reply.aggregated_payload_size == 74922


def test_server_streaming(stub, pb):
    req = pb.messages.StreamingOutputCallRequest(
        response_parameters=[pb.messages.ResponseParameters(size=n) for n in SERVER_STREAM_SIZES])
    call = stub.StreamingOutputCall(req, timeout=RPC_TIMEOUT_S)
    sizes = [len(r.payload.body) for r in call]
    assert sizes == list(SERVER_STREAM_SIZES)
    assert call.code() == grpc.StatusCode.OK


def test_ping_pong(stub, pb):
    import queue
    outbox: queue.Queue = queue.Queue()

    def requests():
        while (item := outbox.get()) is not None:
            yield item

    call = stub.FullDuplexCall(requests(), timeout=RPC_TIMEOUT_S)
    sizes = []
    for req_size, resp_size in zip(CLIENT_STREAM_SIZES, SERVER_STREAM_SIZES):
        outbox.put(pb.messages.StreamingOutputCallRequest(
            response_parameters=[pb.messages.ResponseParameters(size=resp_size)],
            payload=payload(pb, req_size)))
        sizes.append(len(next(call).payload.body))  # one reply before the next request
    outbox.put(None)
    assert list(call) == []
    assert sizes == list(SERVER_STREAM_SIZES)
    assert call.code() == grpc.StatusCode.OK


def test_empty_stream(stub):
    call = stub.FullDuplexCall(iter(()), timeout=RPC_TIMEOUT_S)
    assert list(call) == []
    assert call.code() == grpc.StatusCode.OK


def test_cancel_after_begin(stub, pb):
    import threading
    never = threading.Event()

    def requests():
        never.wait(RPC_TIMEOUT_S)  # sends nothing: the call is cancelled first
        return
        yield  # pragma: no cover

    future = stub.StreamingInputCall.future(requests(), timeout=RPC_TIMEOUT_S)
    future.cancel()
    never.set()
    with pytest.raises(grpc.FutureCancelledError):
        future.result(timeout=RPC_TIMEOUT_S)
    assert future.cancelled()


def test_cancel_after_first_response(stub, pb):
    import threading
    done = threading.Event()

    def requests():
        yield pb.messages.StreamingOutputCallRequest(
            response_parameters=[pb.messages.ResponseParameters(size=31415)], payload=payload(pb, 27182))
        done.wait(RPC_TIMEOUT_S)

    call = stub.FullDuplexCall(requests(), timeout=RPC_TIMEOUT_S)
    first = next(call)
    assert len(first.payload.body) == 31415
    call.cancel()
    done.set()
    with pytest.raises(grpc.RpcError) as err:
        next(call)
    assert err.value.code() == grpc.StatusCode.CANCELLED


def test_timeout_on_sleeping_server(stub, pb):
    import threading
    done = threading.Event()

    def requests():
        yield pb.messages.StreamingOutputCallRequest(payload=payload(pb, 27182))
        done.wait(RPC_TIMEOUT_S)

    call = stub.FullDuplexCall(requests(), timeout=0.001)
    try:
        with pytest.raises(grpc.RpcError) as err:
            list(call)
        assert err.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    finally:
        done.set()


@pytest.mark.parametrize("message", [STATUS_MESSAGE, SPECIAL_STATUS_MESSAGE],
                         ids=["status_code_and_message", "special_status_message"])
def test_status_code_and_message(stub, pb, message):
    status = pb.messages.EchoStatus(code=2, message=message)
    with pytest.raises(grpc.RpcError) as err:
        stub.UnaryCall(pb.messages.SimpleRequest(response_status=status), timeout=RPC_TIMEOUT_S)
    assert err.value.code() == grpc.StatusCode.UNKNOWN
    assert err.value.details() == message

    call = stub.FullDuplexCall(iter([pb.messages.StreamingOutputCallRequest(response_status=status)]),
                               timeout=RPC_TIMEOUT_S)
    with pytest.raises(grpc.RpcError) as err:
        list(call)
    assert err.value.code() == grpc.StatusCode.UNKNOWN
    assert err.value.details() == message


def _assert_echoed(initial, trailing):
    assert (ECHO_INITIAL[0], ECHO_INITIAL[1]) in [(m.key, m.value) for m in initial]
    assert (ECHO_TRAILING[0], ECHO_TRAILING[1]) in [(m.key, m.value) for m in trailing]


def test_custom_metadata(stub, pb):
    metadata = (ECHO_INITIAL, ECHO_TRAILING)
    req = pb.messages.SimpleRequest(response_size=314159, payload=payload(pb, 271828))
    reply, call = stub.UnaryCall.with_call(req, metadata=metadata, timeout=RPC_TIMEOUT_S)
    assert len(reply.payload.body) == 314159
    _assert_echoed(call.initial_metadata(), call.trailing_metadata())

    sreq = pb.messages.StreamingOutputCallRequest(
        response_parameters=[pb.messages.ResponseParameters(size=314159)], payload=payload(pb, 271828))
    scall = stub.FullDuplexCall(iter([sreq]), metadata=metadata, timeout=RPC_TIMEOUT_S)
    assert [len(r.payload.body) for r in scall] == [314159]
    _assert_echoed(scall.initial_metadata(), scall.trailing_metadata())


def test_unimplemented_method(stub, pb):
    with pytest.raises(grpc.RpcError) as err:
        stub.UnimplementedCall(pb.empty.Empty(), timeout=RPC_TIMEOUT_S)
    assert err.value.code() == grpc.StatusCode.UNIMPLEMENTED


def test_unimplemented_service(channel, pb):
    stub = pb.test_grpc.UnimplementedServiceStub(channel)
    with pytest.raises(grpc.RpcError) as err:
        stub.UnimplementedCall(pb.empty.Empty(), timeout=RPC_TIMEOUT_S)
    assert err.value.code() == grpc.StatusCode.UNIMPLEMENTED
