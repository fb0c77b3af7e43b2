"""The Swift client CLI (`facegate enroll | classify | gallery`) against a real grpcio server.

The server is a scripted stand-in of facegate.v1.FaceGate written with Python grpcio (the real
handlers are tested in test_serve.py): this checks our nghttp2 client and the CLI against
another implementation's HTTP/2 and gRPC framing, trailers and status messages.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from concurrent import futures

import grpc
import pytest

from conftest import our_binary

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(REPO, "Clients", "python"))

from facegate.v1 import facegate_pb2 as pb  # noqa: E402
from facegate.v1 import facegate_pb2_grpc as pb_grpc  # noqa: E402


class StandIn(pb_grpc.FaceGateServicer):
    """Images whose first byte is b'A' match "alice"; b'X' is rejected (BLURRY); others UNKNOWN."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.identities: dict[str, dict] = {"id-alice": {"name": "alice", "faces": ["f-0"]}}
        self.next_face = 1

    def _identify(self, request: pb.ClassifyRequest) -> pb.ClassifyResponse:
        image = request.face.encoded
        response = pb.ClassifyResponse(request_id=request.request_id, threshold=0.6)
        if image[:1] == b"A":
            response.decision = pb.DECISION_MATCH
            response.candidates.add(identity_id="id-alice", display_name="alice", distance=0.25, score=0.9, face_id="f-0")
            response.candidates.add(identity_id="id-bob", display_name="bob", distance=0.71, score=0.3, face_id="f-9")
        elif image[:1] == b"X":
            response.decision = pb.DECISION_REJECTED
            response.ood.accepted = False
            response.ood.ood_score = 0.93
            response.ood.threshold = 0.5
            response.ood.reasons.append(pb.REJECT_REASON_BLURRY)
        else:
            response.decision = pb.DECISION_UNKNOWN
            response.candidates.add(identity_id="id-alice", display_name="alice", distance=0.9, score=0.1, face_id="f-0")
        return response

    def ClassifyOne(self, request, context):  # noqa: N802
        return self._identify(request)

    def Classify(self, request_iterator, context):  # noqa: N802
        for request in request_iterator:
            yield self._identify(request)

    def Enroll(self, request_iterator, context):  # noqa: N802
        identity_id = ""
        accepted = rejected = received = 0
        for request in request_iterator:
            if request.HasField("start"):
                with self.lock:
                    identity_id = request.start.identity_id or f"id-{request.start.display_name}"
                    created = identity_id not in self.identities
                    self.identities.setdefault(identity_id, {"name": request.start.display_name, "faces": []})
                yield pb.EnrollResponse(started=pb.EnrollStarted(
                    identity=pb.Identity(identity_id=identity_id, display_name=request.start.display_name), created=created))
                continue
            received += 1
            verdict = pb.FaceVerdict(request_id=request.face.request_id)
            if request.face.face.encoded[:1] == b"X":
                rejected += 1
                verdict.ood.accepted = False
                verdict.ood.reasons.extend([pb.REJECT_REASON_BLURRY, pb.REJECT_REASON_TOO_DARK])
            else:
                accepted += 1
                with self.lock:
                    face_id = f"f-{self.next_face}"
                    self.next_face += 1
                    self.identities[identity_id]["faces"].append(face_id)
                verdict.accepted = True
                verdict.face_id = face_id
                verdict.quality = 0.8
            yield pb.EnrollResponse(verdict=verdict)
        with self.lock:
            count = len(self.identities[identity_id]["faces"])
            name = self.identities[identity_id]["name"]
        summary = pb.EnrollSummary(identity=pb.Identity(identity_id=identity_id, display_name=name, face_count=count),
                                   faces_received=received, faces_accepted=accepted, faces_rejected=rejected,
                                   recommended_face_count=3)
        if rejected:
            summary.rejects.add(reason=pb.REJECT_REASON_BLURRY, count=rejected)
        yield pb.EnrollResponse(summary=summary)

    def ListIdentities(self, request, context):  # noqa: N802
        with self.lock:
            items = sorted((i, v) for i, v in self.identities.items() if v["name"].startswith(request.display_name_prefix))
        response = pb.ListIdentitiesResponse(total_count=len(items))
        for identity_id, value in items:
            response.identities.add(identity_id=identity_id, display_name=value["name"], face_count=len(value["faces"]))
        return response

    def GetIdentity(self, request, context):  # noqa: N802
        with self.lock:
            value = self.identities.get(request.identity_id)
        if value is None:
            context.abort(grpc.StatusCode.NOT_FOUND, f"no identity {request.identity_id} — unbekannt")
        response = pb.GetIdentityResponse(identity=pb.Identity(identity_id=request.identity_id, display_name=value["name"],
                                                               face_count=len(value["faces"])))
        for face_id in value["faces"]:
            response.faces.add(face_id=face_id, quality=0.8, created_unix_ms=1_700_000_000_000)
        return response

    def DeleteIdentity(self, request, context):  # noqa: N802
        with self.lock:
            value = self.identities.pop(request.identity_id, None)
        if value is None:
            context.abort(grpc.StatusCode.NOT_FOUND, f"no identity {request.identity_id}")
        return pb.DeleteIdentityResponse(faces_deleted=len(value["faces"]))

    def GetGalleryStats(self, request, context):  # noqa: N802
        with self.lock:
            faces = sum(len(v["faces"]) for v in self.identities.values())
            return pb.GalleryStats(identity_count=len(self.identities), face_count=faces, model_id="stand-in",
                                   embedding_dim=128)


@pytest.fixture
def stand_in():
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    service = StandIn()
    pb_grpc.add_FaceGateServicer_to_server(service, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    yield f"127.0.0.1:{port}", service
    server.stop(grace=None)


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([our_binary("facegate"), *args], capture_output=True, text=True, timeout=60)


def test_classify_prints_decisions_candidates_and_reasons(stand_in, tmp_path):
    target, _ = stand_in
    files = []
    for name, content in [("a.jpg", b"A1"), ("u.jpg", b"U1"), ("x.png", b"X1")]:
        (tmp_path / name).write_bytes(content)
        files.append(str(tmp_path / name))
    res = run("classify", "--server", target, *files)
    assert res.returncode == 0, res.stderr
    out = res.stdout
    assert f"{files[0]}: MATCH alice (id-alice) distance 0.250" in out
    assert "2. bob (id-bob) distance 0.710" in out
    assert f"{files[1]}: UNKNOWN" in out
    assert f"{files[2]}: REJECTED" in out and "reasons: BLURRY" in out

    res = run("classify", "--server", target, "--json", *files)
    assert res.returncode == 0, res.stderr
    import json
    lines = [json.loads(line) for line in res.stdout.splitlines()]
    assert [line["decision"] for line in lines] == ["MATCH", "UNKNOWN", "REJECTED"]
    assert lines[0]["candidates"][0]["display_name"] == "alice"
    assert lines[2]["ood"]["reasons"] == ["BLURRY"]


def test_enroll_folder_summarises_rejects_and_gallery_commands(stand_in, tmp_path):
    target, service = stand_in
    for person, images in {"carol": [b"C1", b"C2", b"X3"], "dave": [b"D1"], "erin": [b"E1", b"E2", b"E3", b"E4"]}.items():
        (tmp_path / person).mkdir()
        for i, content in enumerate(images):
            (tmp_path / person / f"{i}.jpg").write_bytes(content)
    res = run("enroll", "--server", target, "--jobs", "2", "--verbose", str(tmp_path))
    assert res.returncode == 0, res.stderr
    assert "enrolled 3/3 identities: 8 images sent, 7 accepted, 1 rejected" in res.stdout
    assert "BLURRY: 1" in res.stdout and "TOO_DARK: 1" in res.stdout
    assert "advice: dave has 1 accepted face(s)" in res.stdout
    assert "rejected carol" in res.stderr and "reasons BLURRY,TOO_DARK" in res.stderr
    assert len(service.identities["id-erin"]["faces"]) == 4

    res = run("gallery", "list", "--server", target)
    assert res.returncode == 0, res.stderr
    assert "id-erin\terin\t4 face(s)" in res.stdout and "4 of 4 identities" in res.stdout
    res = run("gallery", "show", "id-carol", "--server", target)
    assert res.returncode == 0 and "name carol" in res.stdout and res.stdout.count("  face f-") == 2
    res = run("gallery", "show", "id-nobody", "--server", target)
    assert res.returncode == 1
    assert "NOT_FOUND: no identity id-nobody — unbekannt" in res.stderr
    res = run("gallery", "delete", "id-dave", "--server", target)
    assert res.returncode == 0 and "deleted id-dave (1 face(s))" in res.stdout
    res = run("gallery", "stats", "--server", target)
    assert res.returncode == 0 and "identities 3" in res.stdout and "model stand-in" in res.stdout
    res = run("gallery", "delete-face", "f-1", "--server", target)
    assert res.returncode == 1 and "UNIMPLEMENTED" in res.stderr


def test_enroll_by_name_adds_to_the_existing_identity(stand_in, tmp_path):
    target, service = stand_in
    (tmp_path / "one.jpg").write_bytes(b"A2")
    res = run("enroll", "--server", target, "--name", "alice", str(tmp_path))
    assert res.returncode == 0, res.stderr
    assert service.identities["id-alice"]["faces"] == ["f-0", "f-1"]
