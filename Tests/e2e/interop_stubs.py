"""grpc.testing stubs generated at session start from Debian's grpc-proto (never committed).

The .proto files are copied under a private top-level directory (`fg_interop/`) and their
imports rewritten, so the generated Python modules live in `fg_interop.grpc.testing` and do
not collide with grpcio's own `grpc` package. The proto package stays `grpc.testing`, so the
method paths on the wire are the standard `/grpc.testing.TestService/...`.
"""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
import types

GRPC_PROTO_DIR = os.environ.get("GRPC_PROTO_DIR", "/usr/share/grpc-proto")
PROTOS = ("empty.proto", "messages.proto", "test.proto")
PREFIX = "fg_interop"


def generate(out_dir: str) -> types.SimpleNamespace:
    """Generates and imports the stubs into out_dir; returns a namespace of the modules.

    Raises RuntimeError naming the missing Debian package when the protos are absent.
    """
    src = os.path.join(GRPC_PROTO_DIR, "grpc", "testing")
    if not all(os.path.isfile(os.path.join(src, p)) for p in PROTOS):
        raise RuntimeError(f"{src}/{{{','.join(PROTOS)}}} missing: apt-get install grpc-proto")
    proto_root = os.path.join(out_dir, "protos")
    dst = os.path.join(proto_root, PREFIX, "grpc", "testing")
    os.makedirs(dst, exist_ok=True)
    for name in PROTOS:
        with open(os.path.join(src, name)) as f:
            text = f.read()
        text = re.sub(r'import\s+"grpc/testing/', f'import "{PREFIX}/grpc/testing/', text)
        with open(os.path.join(dst, name), "w") as f:
            f.write(text)
    py_out = os.path.join(out_dir, "py")
    os.makedirs(py_out, exist_ok=True)
    cmd = [sys.executable, "-m", "grpc_tools.protoc", f"-I{proto_root}", f"--python_out={py_out}",
           f"--grpc_python_out={py_out}"] + [f"{PREFIX}/grpc/testing/{p}" for p in PROTOS]
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        raise RuntimeError(f"grpc_tools.protoc failed: {res.stderr}")
    for d in (PREFIX, f"{PREFIX}/grpc", f"{PREFIX}/grpc/testing"):
        open(os.path.join(py_out, d, "__init__.py"), "a").close()
    sys.path.insert(0, py_out)
    base = f"{PREFIX}.grpc.testing"
    return types.SimpleNamespace(
        empty=importlib.import_module(f"{base}.empty_pb2"),
        messages=importlib.import_module(f"{base}.messages_pb2"),
        test=importlib.import_module(f"{base}.test_pb2"),
        test_grpc=importlib.import_module(f"{base}.test_pb2_grpc"),
    )
