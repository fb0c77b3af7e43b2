"""gRPC-over-HTTP/2 wire details, checked frame by frame with raw_h2: message framing across
and within DATA frames, response headers/trailers, Trailers-Only errors, percent-encoded
grpc-message, client GOAWAY."""

from __future__ import annotations

import urllib.parse

import pytest

from raw_h2 import RawH2, grpc_frame
from test_transport import OK, SVC, UNIMPLEMENTED, UNKNOWN, assert_serving_new_connection


def input_request(pb, n: int) -> bytes:
    return pb.messages.StreamingInputCallRequest(payload=pb.messages.Payload(body=b"\0" * n)).SerializeToString()


def test_messages_split_across_data_frames(interop_server, pb):
    """Client-streaming messages cut at every awkward boundary, down to 1-byte DATA frames."""
    sizes = [0, 1, 7, 300, 20000]
    wire = b"".join(grpc_frame(input_request(pb, n)) for n in sizes)
    with RawH2(interop_server.host, interop_server.port) as h:
        sid = h.start(SVC + "StreamingInputCall", end_stream=False)
        cuts = [1, 2, 3, 4, 5, 6, 11, 13, 64, 1000]  # the first prefix arrives byte by byte
        pos = 0
        for step in cuts:
            h.send_data(sid, wire[pos:pos + step])
            pos += step
        h.send_data(sid, wire[pos:], end_stream=True)
        assert h.wait_for(lambda: h.streams[sid].finished)
        st = h.streams[sid]
        assert st.grpc_status == OK, (st.headers, st.trailers)
        reply = pb.messages.StreamingInputCallResponse.FromString(st.messages()[0])
        assert reply.aggregated_payload_size == sum(sizes)


def test_several_messages_in_one_data_frame(interop_server, pb):
    sizes = [3, 5, 8, 13, 21, 34]
    wire = b"".join(grpc_frame(input_request(pb, n)) for n in sizes)
    with RawH2(interop_server.host, interop_server.port) as h:
        sid = h.start(SVC + "StreamingInputCall", wire)  # one DATA frame with END_STREAM
        assert h.wait_for(lambda: h.streams[sid].finished)
        st = h.streams[sid]
        assert st.grpc_status == OK
        assert pb.messages.StreamingInputCallResponse.FromString(st.messages()[0]).aggregated_payload_size == sum(sizes)


def test_bidi_messages_in_one_frame_each_answered_in_order(interop_server, pb):
    reqs = [pb.messages.StreamingOutputCallRequest(response_parameters=[pb.messages.ResponseParameters(size=n)])
            for n in (5, 50, 500)]
    with RawH2(interop_server.host, interop_server.port) as h:
        sid = h.start(SVC + "FullDuplexCall", b"".join(grpc_frame(r.SerializeToString()) for r in reqs))
        assert h.wait_for(lambda: h.streams[sid].finished)
        st = h.streams[sid]
        assert st.grpc_status == OK
        assert [len(pb.messages.StreamingOutputCallResponse.FromString(m).payload.body)
                for m in st.messages()] == [5, 50, 500]


def test_success_has_headers_data_and_trailers(interop_server, pb):
    with RawH2(interop_server.host, interop_server.port) as h:
        st = h.call(SVC + "UnaryCall", pb.messages.SimpleRequest(response_size=3).SerializeToString())
        assert st.status == "200"
        assert st.headers.get("content-type", "").startswith("application/grpc")
        assert "grpc-status" not in st.headers  # not Trailers-Only: a message follows
        assert st.trailers.get("grpc-status") == "0"
        assert len(st.messages()) == 1


def test_error_before_any_message_is_trailers_only(interop_server):
    with RawH2(interop_server.host, interop_server.port) as h:
        st = h.call(SVC + "UnimplementedCall", b"")
        assert st.ended and st.status == "200"
        assert st.headers.get("grpc-status") == str(UNIMPLEMENTED), st.headers
        assert st.trailers == {} and bytes(st.data) == b""


@pytest.mark.parametrize("message", [
    "plain message",
    "percent % and colon : and slash /",
    "\t\ntest with whitespace\r\nand Unicode BMP \u263a and non-BMP \U0001f608\t\n",
])
def test_grpc_message_is_percent_encoded(interop_server, pb, message):
    req = pb.messages.SimpleRequest(response_status=pb.messages.EchoStatus(code=UNKNOWN, message=message))
    with RawH2(interop_server.host, interop_server.port) as h:
        st = h.call(SVC + "UnaryCall", req.SerializeToString())
        assert st.grpc_status == UNKNOWN
        raw = st.grpc_message or ""
        assert all(0x20 <= ord(c) <= 0x7E for c in raw), f"grpc-message not percent-encoded: {raw!r}"
        assert urllib.parse.unquote(raw, encoding="utf-8", errors="strict") == message


def test_client_goaway_then_new_connection(interop_server, pb):
    h = RawH2(interop_server.host, interop_server.port)
    assert h.call(SVC + "EmptyCall", b"").grpc_status == OK
    h.conn.close_connection()  # GOAWAY(NO_ERROR) from the client
    h.flush()
    h.drain(0.5)
    h.sock.close()
    assert_serving_new_connection(interop_server, pb)
