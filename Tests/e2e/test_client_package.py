"""Clients/python is an installable package: `facegate` (generated stubs) + `facegate_client`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CLIENTS_PY = os.path.join(REPO, "Clients", "python")


def test_client_package_installs_offline(tmp_path):
    src = tmp_path / "src"  # build from a copy: setuptools leaves build/ and *.egg-info behind
    shutil.copytree(CLIENTS_PY, src, ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info"))
    target = tmp_path / "site"
    res = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
                          "--no-index", "--target", str(target), str(src)], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    probe = ("import facegate_client, facegate.v1.facegate_pb2_grpc as g; "
             "assert facegate_client.__file__.startswith(%r), facegate_client.__file__; "
             "print(g.FaceGateStub.__name__, facegate_client.connect.__name__)" % str(target))
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(target)}, cwd=str(tmp_path))
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["FaceGateStub", "connect"]
