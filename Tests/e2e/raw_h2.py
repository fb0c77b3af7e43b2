"""A small raw HTTP/2 client (Python `h2` over a socket) for frame-level transport tests.

It lets a test do what a gRPC library never does on purpose: wrong content-types, broken
length prefixes, withheld WINDOW_UPDATEs, RST_STREAM at a chosen moment, garbage bytes.
"""

from __future__ import annotations

import gzip
import socket
import ssl
import struct
import time
from dataclasses import dataclass, field

import h2.config
import h2.connection
import h2.events
import h2.exceptions
import h2.settings

WAIT_S = 20.0  # upper bound of every wait: a broken server fails a test, never hangs it


def grpc_frame(message: bytes, compressed: bool = False) -> bytes:
    """The 5-byte gRPC length prefix (flag, big-endian length) followed by the message."""
    return struct.pack(">BI", 1 if compressed else 0, len(message)) + message


def gzip_frame(message: bytes) -> bytes:
    """A gRPC message compressed with gzip, flag 1."""
    return grpc_frame(gzip.compress(message), compressed=True)


def parse_frames(data: bytes) -> list[tuple[int, bytes]]:
    """Splits a DATA byte stream into (flag, message) pairs; a trailing partial frame is an error."""
    out, i = [], 0
    while i < len(data):
        if len(data) - i < 5:
            raise ValueError(f"partial gRPC prefix at offset {i}")
        flag, n = struct.unpack_from(">BI", data, i)
        if len(data) - i - 5 < n:
            raise ValueError(f"partial gRPC message at offset {i}: {n} announced")
        out.append((flag, bytes(data[i + 5:i + 5 + n])))
        i += 5 + n
    return out


@dataclass
class StreamState:
    """What the client saw on one stream."""

    headers: dict[str, str] = field(default_factory=dict)
    trailers: dict[str, str] = field(default_factory=dict)
    data: bytearray = field(default_factory=bytearray)
    reset_code: int | None = None
    ended: bool = False

    @property
    def status(self) -> str | None:
        """HTTP :status of the response headers."""
        return self.headers.get(":status")

    @property
    def grpc_status(self) -> int | None:
        """grpc-status from the trailers, or from a Trailers-Only response's headers."""
        v = self.trailers.get("grpc-status", self.headers.get("grpc-status"))
        return int(v) if v is not None else None

    @property
    def grpc_message(self) -> str | None:
        return self.trailers.get("grpc-message", self.headers.get("grpc-message"))

    @property
    def finished(self) -> bool:
        return self.ended or self.reset_code is not None

    def messages(self) -> list[bytes]:
        return [m for _, m in parse_frames(bytes(self.data))]


class RawH2:
    """One client HTTP/2 connection. `auto_ack=False` withholds every WINDOW_UPDATE."""

    def __init__(self, host: str, port: int, *, auto_ack: bool = True, initial_window: int | None = None,
                 tls_context: ssl.SSLContext | None = None, server_hostname: str | None = None) -> None:
        self.host, self.port, self.auto_ack = host, port, auto_ack
        raw = socket.create_connection((host, port), timeout=WAIT_S)
        self.sock = tls_context.wrap_socket(raw, server_hostname=server_hostname or host) if tls_context else raw
        self.conn = h2.connection.H2Connection(
            config=h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
        self.conn.initiate_connection()
        if initial_window is not None:
            self.conn.update_settings({h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: initial_window})
        self.streams: dict[int, StreamState] = {}
        self.goaway: h2.events.ConnectionTerminated | None = None
        self.closed = False
        self.pings: list[bytes] = []
        self.settings_acked = False
        self.remote_settings_seen = False
        self.unacked_bytes = 0  # flow-controlled bytes received but not yet acknowledged
        self.bytes_in = 0  # every byte read from the socket (frames h2 drops included)
        self.flush()

    # -- sending ------------------------------------------------------------------------------

    def flush(self) -> None:
        data = self.conn.data_to_send()
        if data:
            self.sock.sendall(data)

    def request_headers(self, path: str, extra: list[tuple[str, str]] | None = None,
                        content_type: str = "application/grpc") -> list[tuple[str, str]]:
        h = [(":method", "POST"), (":scheme", "https" if isinstance(self.sock, ssl.SSLSocket) else "http"),
             (":path", path), (":authority", f"{self.host}:{self.port}"), ("te", "trailers")]
        if content_type:
            h.append(("content-type", content_type))
        return h + (extra or [])

    def start(self, path: str, body: bytes | None = None, *, end_stream: bool = True,
              extra: list[tuple[str, str]] | None = None, content_type: str = "application/grpc") -> int:
        """Opens a stream with request headers and optional DATA; returns the stream id."""
        sid = self.conn.get_next_available_stream_id()
        self.streams[sid] = StreamState()
        headers = self.request_headers(path, extra, content_type)
        if body is None:
            self.conn.send_headers(sid, headers, end_stream=end_stream)
        else:
            self.conn.send_headers(sid, headers)
            self.send_data(sid, body, end_stream=end_stream)
        self.flush()
        return sid

    def send_data(self, sid: int, body: bytes, end_stream: bool = False) -> None:
        """Sends body on sid in frames of at most the peer's max frame size (and our window)."""
        view = memoryview(body)
        while view:
            window = self.conn.local_flow_control_window(sid)
            if window == 0:
                self.wait_for(lambda: self.conn.local_flow_control_window(sid) > 0)
                continue
            n = min(len(view), window, self.conn.max_outbound_frame_size)
            self.conn.send_data(sid, view[:n].tobytes())
            view = view[n:]
            self.flush()
        if end_stream:
            self.conn.end_stream(sid)
        self.flush()

    def end(self, sid: int) -> None:
        self.conn.end_stream(sid)
        self.flush()

    def reset(self, sid: int, code: int = 8) -> None:
        """RST_STREAM (default CANCEL, 0x8)."""
        self.conn.reset_stream(sid, error_code=code)
        self.flush()

    def ping(self, opaque: bytes) -> None:
        self.conn.ping(opaque)
        self.flush()

    def ack_all(self) -> None:
        """Acknowledges every received byte (WINDOW_UPDATE for the streams and the connection)."""
        for sid, st in self.streams.items():
            pending = getattr(st, "_unacked", 0)
            if pending and not st.finished:
                try:
                    self.conn.acknowledge_received_data(pending, sid)
                except (h2.exceptions.StreamClosedError, KeyError):
                    pass
            st._unacked = 0  # type: ignore[attr-defined]
        self.unacked_bytes = 0
        self.flush()

    def window_update(self, sid: int, increment: int) -> None:
        """Explicit WINDOW_UPDATE on a stream and on the connection."""
        self.conn.increment_flow_control_window(increment, stream_id=sid)
        self.conn.increment_flow_control_window(increment)
        self.flush()

    # -- receiving ----------------------------------------------------------------------------

    def pump(self, timeout_s: float) -> bool:
        """Reads once (up to timeout_s) and handles the events; False on timeout or when closed."""
        if self.closed:
            return False
        self.sock.settimeout(timeout_s)
        try:
            data = self.sock.recv(1 << 16)
        except (socket.timeout, TimeoutError):
            return False
        except (ConnectionResetError, BrokenPipeError, ssl.SSLError):
            self.closed = True
            return False
        if not data:
            self.closed = True
            return False
        self.bytes_in += len(data)
        try:
            events = self.conn.receive_data(data)
        except h2.exceptions.ProtocolError:
            self.closed = True
            return False
        for ev in events:
            self._handle(ev)
        self.flush()
        return True

    def _handle(self, ev: h2.events.Event) -> None:
        st = self.streams.get(getattr(ev, "stream_id", 0) or 0)
        if isinstance(ev, h2.events.ResponseReceived) and st:
            st.headers = dict(ev.headers)
        elif isinstance(ev, h2.events.TrailersReceived) and st:
            st.trailers = dict(ev.headers)
        elif isinstance(ev, h2.events.DataReceived):
            if st:
                st.data += ev.data
            n = ev.flow_controlled_length
            if self.auto_ack:
                try:
                    self.conn.acknowledge_received_data(n, ev.stream_id)
                except h2.exceptions.StreamClosedError:
                    pass
            else:
                self.unacked_bytes += n
                if st:
                    st._unacked = getattr(st, "_unacked", 0) + n  # type: ignore[attr-defined]
        elif isinstance(ev, h2.events.StreamEnded) and st:
            st.ended = True
        elif isinstance(ev, h2.events.StreamReset) and st:
            st.reset_code = int(ev.error_code)
        elif isinstance(ev, h2.events.ConnectionTerminated):
            self.goaway = ev
        elif isinstance(ev, h2.events.PingAckReceived):
            self.pings.append(ev.ping_data)
        elif isinstance(ev, h2.events.SettingsAcknowledged):
            self.settings_acked = True
        elif isinstance(ev, h2.events.RemoteSettingsChanged):
            self.remote_settings_seen = True

    def wait_for(self, predicate, timeout_s: float = WAIT_S) -> bool:
        """Pumps until predicate() is true (True) or timeout_s passes / the peer closes (False)."""
        end = time.monotonic() + timeout_s
        while not predicate():
            left = end - time.monotonic()
            if left <= 0 or self.closed:
                return predicate()
            self.pump(min(left, 0.5))
        return True

    def drain(self, duration_s: float) -> None:
        """Keeps reading for duration_s seconds (to observe that nothing more arrives)."""
        end = time.monotonic() + duration_s
        while (left := end - time.monotonic()) > 0 and not self.closed:
            self.pump(min(left, 0.2))

    def call(self, path: str, message: bytes, extra: list[tuple[str, str]] | None = None,
             timeout_s: float = WAIT_S) -> StreamState:
        """A whole unary call: request, wait for the end of the stream, return its state."""
        sid = self.start(path, grpc_frame(message), extra=extra)
        self.wait_for(lambda: self.streams[sid].finished, timeout_s)
        return self.streams[sid]

    def close(self) -> None:
        try:
            self.conn.close_connection()
            self.flush()
        except Exception:  # noqa: BLE001 - closing a connection the peer may have dropped
            pass
        self.sock.close()

    def __enter__(self) -> "RawH2":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
