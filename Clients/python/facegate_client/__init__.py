"""A thin convenience layer over FaceGate's generated gRPC stubs: connect, health check.

The stubs themselves are in the `facegate.v1` package (`facegate_pb2`, `facegate_pb2_grpc`).
"""

from facegate_client.client import Client, FaceGateClientError, connect

__all__ = ["Client", "FaceGateClientError", "connect"]
