"""Shared helpers for the FaceGate service end-to-end tests: a `facegate serve` process with the
default model, the face_recognition test photos (fetched from PyPI by scripts/fetch-test-data.sh)
and their face boxes (dlib's HOG detector, committed in Tests/Fixtures/dlib/references.json)."""

from __future__ import annotations

import io
import json
import os
import sys
import time
import urllib.request

import grpc

import conftest
from server_process import ServerProcess

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(REPO, "Clients", "python"))

from facegate.v1 import facegate_pb2 as pb  # noqa: E402
from facegate.v1 import facegate_pb2_grpc as rpc  # noqa: E402

PHOTOS = os.path.join(REPO, ".cache", "testdata", "test_images")
MODEL_CACHE = os.environ.get("FACEGATE_TEST_MODEL_CACHE", os.path.join(REPO, ".cache", "models"))
_REFS = json.load(open(os.path.join(REPO, "Tests", "Fixtures", "dlib", "references.json")))
BOXES = {im["file"]: im["faces"][0]["box"] for im in _REFS["images"] if im["faces"]}


def photo(name: str) -> bytes:
    with open(os.path.join(PHOTOS, name), "rb") as f:
        return f.read()


def face(name: str, data: bytes | None = None) -> "pb.Face":
    """A Face message: the photo's bytes and its detector box (left, top, right, bottom)."""
    left, top, right, bottom = BOXES[name]
    return pb.Face(encoded=data if data is not None else photo(name),
                   box=pb.Box(x=left, y=top, width=right - left + 1, height=bottom - top + 1))


def start_serve(gallery: str, *extra: str, name: str = "facegate-serve") -> ServerProcess:
    argv = [conftest.our_binary("facegate"), "serve", "--host", "127.0.0.1", "--port", "0",
            "--gallery", gallery, "--model-cache", MODEL_CACHE, "--metrics-port", "0", *extra]
    srv = ServerProcess(name, argv)
    conftest._STARTED.append(srv)
    srv.start_ours()
    return srv


def stop_serve(srv: ServerProcess) -> None:
    srv.cleanup()
    if srv in conftest._STARTED:
        conftest._STARTED.remove(srv)


def wait_serving(target: str, timeout_s: float = 180.0) -> grpc.Channel:
    """A channel once Health says SERVING (the model loads after the port opens)."""
    from grpc_health.v1 import health_pb2, health_pb2_grpc
    channel = grpc.insecure_channel(target)
    health = health_pb2_grpc.HealthStub(channel)
    end = time.monotonic() + timeout_s
    while True:
        try:
            if health.Check(health_pb2.HealthCheckRequest(), timeout=5).status == health_pb2.HealthCheckResponse.SERVING:
                return channel
        except grpc.RpcError:
            pass
        if time.monotonic() > end:
            raise TimeoutError(f"{target} not SERVING after {timeout_s} s")
        time.sleep(0.2)


def metrics_port(srv: ServerProcess) -> int:
    """The /metrics port, read from the server's structured log line."""
    import re
    for _ in range(100):
        with open(srv.stderr_path, "rb") as f:
            m = re.search(rb"address=127\.0\.0\.1:(\d+) path=/metrics", f.read())
        if m:
            return int(m.group(1))
        time.sleep(0.1)
    raise RuntimeError("no metrics endpoint line in the server log")


def scrape(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
        return r.read().decode()


def metric_value(text: str, name: str, **labels: str) -> float:
    """Sum of the samples of `name` whose labels include `labels` (0 when absent)."""
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        if all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def enroll(stub: "rpc.FaceGateStub", name: str, photos: list[str], **start) -> list:
    requests = [pb.EnrollRequest(start=pb.EnrollStart(display_name=name, **start))]
    requests += [pb.EnrollRequest(face=pb.EnrollFace(request_id=p, face=face(p))) for p in photos]
    return list(stub.Enroll(iter(requests), timeout=300))


def degraded(name: str, how: str) -> bytes:
    """The photo made unusable: `blur` (strong Gaussian blur) or `dark` (almost black)."""
    from PIL import Image, ImageEnhance, ImageFilter
    image = Image.open(io.BytesIO(photo(name))).convert("RGB")
    if how == "blur":
        image = image.filter(ImageFilter.GaussianBlur(radius=12))
    elif how == "dark":
        image = ImageEnhance.Brightness(image).enhance(0.06)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=92)
    return out.getvalue()


def raw_face_crop(name: str, size: int) -> "pb.Face":
    """The photo's face box (with a margin) resized to size x size, as raw RGB pixels."""
    from PIL import Image
    left, top, right, bottom = BOXES[name]
    margin = (right - left) // 3
    image = Image.open(io.BytesIO(photo(name))).convert("RGB")
    crop = image.crop((left - margin, top - margin, right + margin, bottom + margin)).resize((size, size))
    return pb.Face(raw=pb.RawImage(width=size, height=size, format=pb.PIXEL_FORMAT_RGB8, pixels=crop.tobytes()))
