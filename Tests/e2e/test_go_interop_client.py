"""grpc-go's own interop CLIENT against the interop server, for the 14 standard cases.

The client is built from Debian's golang-google-grpc source package by
`scripts/build-go-interop.sh` (about a minute, needs apt) into /tmp/grpc-interop-bin/, or set
FACEGATE_GO_INTEROP_CLIENT to its path. Without it these tests are skipped, saying so.
"""

from __future__ import annotations

import os
import subprocess

import pytest

CLIENT = os.environ.get("FACEGATE_GO_INTEROP_CLIENT", "/tmp/grpc-interop-bin/interop-client")
CASE_TIMEOUT_S = 60

CASES = [
    "empty_unary", "large_unary", "client_streaming", "server_streaming", "ping_pong", "empty_stream",
    "cancel_after_begin", "cancel_after_first_response", "timeout_on_sleeping_server",
    "status_code_and_message", "special_status_message", "custom_metadata",
    "unimplemented_method", "unimplemented_service",
]


@pytest.fixture(scope="module")
def go_client() -> str:
    if not os.access(CLIENT, os.X_OK):
        pytest.skip(f"grpc-go interop client not found at {CLIENT}: build it with "
                    "`bash scripts/build-go-interop.sh` (Debian packages, ~1 min) to run these 14 cases")
    return CLIENT


@pytest.mark.parametrize("case", CASES)
def test_grpc_go_interop_client(go_client, interop_server, case):
    res = subprocess.run(
        [go_client, f"--server_host={interop_server.host}", f"--server_port={interop_server.port}",
         f"--test_case={case}"],
        capture_output=True, text=True, timeout=CASE_TIMEOUT_S)
    tail = "\n".join((res.stdout + res.stderr).strip().splitlines()[-8:])
    assert res.returncode == 0, f"grpc-go interop client, case {case}: exit {res.returncode}\n{tail}"
