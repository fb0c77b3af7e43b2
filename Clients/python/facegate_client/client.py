"""`connect()` and `Client`: one gRPC channel to a FaceGate server and its stubs."""

from __future__ import annotations

import time

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from facegate.v1 import facegate_pb2_grpc

FACEGATE_SERVICE = "facegate.v1.FaceGate"
"""The fully-qualified name of FaceGate's service, as used by grpc.health.v1."""


class FaceGateClientError(Exception):
    """A call failed; `code` is the grpc.StatusCode, `details` the server's message."""

    def __init__(self, what: str, code: grpc.StatusCode, details: str) -> None:
        super().__init__(f"{what}: {code.name}: {details}")
        self.code = code
        self.details = details


class Client:
    """One channel to a FaceGate server with its stubs. Use as a context manager or call close().

    `facegate` is the `facegate.v1.FaceGateStub`; `health_stub` is grpc.health.v1's stub.
    Thread-safe as grpcio channels are.
    """

    def __init__(self, channel: grpc.Channel, timeout_s: float = 10.0) -> None:
        self.channel = channel
        self.timeout_s = timeout_s
        self.facegate = facegate_pb2_grpc.FaceGateStub(channel)
        self.health_stub = health_pb2_grpc.HealthStub(channel)

    def health(self, service: str = "") -> str:
        """grpc.health.v1 Check: "SERVING", "NOT_SERVING", "UNKNOWN" or "SERVICE_UNKNOWN".

        `service` "" asks about the server as a whole; pass FACEGATE_SERVICE for the API.
        Raises FaceGateClientError when the call itself fails (unreachable server, timeout).
        """
        try:
            reply = self.health_stub.Check(health_pb2.HealthCheckRequest(service=service),
                                           timeout=self.timeout_s)
        except grpc.RpcError as e:
            raise FaceGateClientError("health check", e.code(), e.details() or "") from e
        return health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)

    def wait_until_serving(self, service: str = "", timeout_s: float = 30.0) -> None:
        """Blocks until the channel connects and Check answers SERVING (or raises on timeout)."""
        try:
            grpc.channel_ready_future(self.channel).result(timeout=timeout_s)
        except grpc.FutureTimeoutError as e:
            raise FaceGateClientError("connect", grpc.StatusCode.UNAVAILABLE,
                                      f"no connection within {timeout_s} s") from e
        # The server listens before its model and gallery are loaded (NOT_SERVING meanwhile).
        deadline = time.monotonic() + timeout_s
        while True:
            status = self.health(service)
            if status == "SERVING":
                return
            if time.monotonic() > deadline:
                raise FaceGateClientError("health check", grpc.StatusCode.UNAVAILABLE,
                                          f"server is still {status} after {timeout_s} s")
            time.sleep(0.2)

    def close(self) -> None:
        """Closes the channel; the stubs must not be used afterwards."""
        self.channel.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def connect(target: str, *, root_certificates: bytes | None = None, timeout_s: float = 10.0,
            options: list[tuple[str, object]] | None = None) -> Client:
    """Opens a channel to `target` ("host:port"): cleartext HTTP/2, or TLS when
    `root_certificates` (PEM bytes) are given. The channel connects lazily; `timeout_s` is the
    default deadline of the wrapper's own calls."""
    if root_certificates is not None:
        creds = grpc.ssl_channel_credentials(root_certificates=root_certificates)
        channel = grpc.secure_channel(target, creds, options=options)
    else:
        channel = grpc.insecure_channel(target, options=options)
    return Client(channel, timeout_s=timeout_s)
