"""The FaceGate service end to end: `facegate serve` with the default model (dlib ResNet),
real grpcio clients, real photos, a real SQLite gallery.

Photos: the face_recognition 1.3.0 test images (obama, obama2, obama3, biden, partial faces),
with face boxes from dlib's HOG detector; clients send boxes, as a camera with a detector would.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time

import grpc
import pytest

import conftest
import service_fixtures as sf
from service_fixtures import pb, rpc

pytestmark = pytest.mark.ours_only("`facegate serve` is ours; grpc-go has no FaceGate service")

if not os.path.exists(os.path.join(sf.PHOTOS, "obama.jpg")):
    pytest.fail("test photos missing: run scripts/fetch-test-data.sh (scripts/test.sh does)", pytrace=False)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = sf.start_serve(str(tmp_path_factory.mktemp("gallery") / "gallery.sqlite"))
    try:
        channel = sf.wait_serving(srv.target)
        yield srv, channel
        channel.close()
    finally:
        sf.stop_serve(srv)


@pytest.fixture(scope="module")
def stub(server):
    return rpc.FaceGateStub(server[1])


@pytest.fixture(scope="module")
def enrolled(stub):
    """Obama (2 photos) then Biden (1 photo); returns {name: identity_id}. Before Biden is
    enrolled, his photo must classify as UNKNOWN (a person not in the gallery)."""
    obama = sf.enroll(stub, "Barack Obama", ["obama.jpg", "obama2.jpg"])
    assert obama[0].WhichOneof("kind") == "started" and obama[0].started.created
    verdicts = [r.verdict for r in obama[1:-1]]
    assert [v.accepted for v in verdicts] == [True, True], verdicts
    assert all(v.face_id for v in verdicts)
    summary = obama[-1].summary
    assert (summary.faces_received, summary.faces_accepted, summary.identity.face_count) == (2, 2, 2)
    assert summary.recommended_face_count == 3 and "at least 3" in summary.advice

    unknown = stub.ClassifyOne(pb.ClassifyRequest(request_id="b0", face=sf.face("biden.jpg")), timeout=120)
    assert unknown.decision == pb.DECISION_UNKNOWN, unknown
    assert unknown.candidates[0].display_name == "Barack Obama"
    assert unknown.candidates[0].distance > unknown.threshold

    biden = sf.enroll(stub, "Joe Biden", ["biden.jpg"])
    assert biden[1].verdict.accepted, biden[1]
    return {"Barack Obama": obama[0].started.identity.identity_id, "Joe Biden": biden[0].started.identity.identity_id}


def test_third_photo_matches_the_right_person(stub, enrolled):
    answer = stub.ClassifyOne(pb.ClassifyRequest(request_id="o3", face=sf.face("obama3.jpg"), top_k=2), timeout=120)
    assert answer.request_id == "o3"
    assert answer.decision == pb.DECISION_MATCH, answer
    best = answer.candidates[0]
    assert (best.display_name, best.identity_id) == ("Barack Obama", enrolled["Barack Obama"])
    assert best.distance < answer.threshold < answer.candidates[1].distance
    assert 0 < best.score <= 1 and best.face_id
    assert answer.ood.accepted
    t = answer.timing
    # Each stage is timed on its own; together they fit inside the whole answer.
    assert t.decode_us > 0 and t.align_us > 0 and t.embed_us > 0
    assert t.decode_us + t.align_us + t.queue_us + t.embed_us + t.gate_us + t.search_us <= t.total_us


def test_enrolled_person_matches_himself(stub, enrolled):
    answer = stub.ClassifyOne(pb.ClassifyRequest(face=sf.face("biden.jpg")), timeout=120)
    assert answer.decision == pb.DECISION_MATCH
    assert answer.candidates[0].identity_id == enrolled["Joe Biden"]


@pytest.mark.parametrize("how,reason", [("blur", pb.REJECT_REASON_BLURRY), ("dark", pb.REJECT_REASON_TOO_DARK)])
def test_degraded_face_is_rejected_with_a_reason(stub, enrolled, how, reason):
    data = sf.degraded("obama3.jpg", how)
    answer = stub.ClassifyOne(pb.ClassifyRequest(face=sf.face("obama3.jpg", data)), timeout=120)
    assert answer.decision == pb.DECISION_REJECTED, answer
    assert reason in answer.ood.reasons, answer.ood
    assert not answer.ood.accepted and not answer.candidates


def test_partial_face_is_rejected(stub, enrolled):
    answer = stub.ClassifyOne(pb.ClassifyRequest(face=sf.face("obama_partial_face.jpg")), timeout=120)
    assert answer.decision == pb.DECISION_REJECTED, answer
    assert len(answer.ood.reasons) > 0


def test_bidi_classify_answers_in_order(stub, enrolled):
    names = ["obama3.jpg", "biden.jpg", "obama.jpg", "obama2.jpg"] * 3
    requests = (pb.ClassifyRequest(request_id=f"{i}:{n}", face=sf.face(n)) for i, n in enumerate(names))
    answers = list(stub.Classify(requests, timeout=300))
    assert [a.request_id for a in answers] == [f"{i}:{n}" for i, n in enumerate(names)]
    for a, n in zip(answers, names):
        expected = "Joe Biden" if n.startswith("biden") else "Barack Obama"
        assert a.decision == pb.DECISION_MATCH and a.candidates[0].display_name == expected, a


def test_embed_matches_the_engine_alone(stub, enrolled):
    box = sf.BOXES["obama3.jpg"]
    served = stub.EmbedOne(pb.EmbedRequest(request_id="e1", face=sf.face("obama3.jpg")), timeout=120)
    assert served.request_id == "e1" and len(served.embedding) == 128
    assert served.model_id.startswith("dlib_resnet_v1@sha256:")
    assert len(served.landmarks) == 5
    out = subprocess.run(
        [conftest.our_binary("facegate"), "embed", "--cache", sf.MODEL_CACHE, "--box", ",".join(map(str, box)),
         os.path.join(sf.PHOTOS, "obama3.jpg")], capture_output=True, text=True, timeout=300, check=True)
    alone = json.loads(out.stdout.strip().splitlines()[-1])["embedding"]
    assert max(abs(a - b) for a, b in zip(served.embedding, alone)) < 1e-5
    norm = sum(v * v for v in served.embedding) ** 0.5
    assert abs(norm - 1) < 1e-4


def test_gallery_management(stub, enrolled):
    page = stub.ListIdentities(pb.ListIdentitiesRequest(page_size=1), timeout=30)
    assert page.total_count >= 2 and len(page.identities) == 1 and page.next_page_token
    rest = stub.ListIdentities(pb.ListIdentitiesRequest(page_size=10, page_token=page.next_page_token), timeout=30)
    names = {i.display_name for i in list(page.identities) + list(rest.identities)}
    assert {"Barack Obama", "Joe Biden"} <= names
    only = stub.ListIdentities(pb.ListIdentitiesRequest(display_name_prefix="Joe"), timeout=30)
    assert [i.display_name for i in only.identities] == ["Joe Biden"]

    got = stub.GetIdentity(pb.GetIdentityRequest(identity_id=enrolled["Barack Obama"]), timeout=30)
    assert got.identity.face_count == 2 and len(got.faces) == 2
    stats = stub.GetGalleryStats(pb.GetGalleryStatsRequest(), timeout=30)
    assert stats.identity_count >= 2 and stats.face_count >= 3 and stats.embedding_dim == 128
    assert stats.index_kind.startswith("sequential") and stats.threshold > 0


def test_delete_erases_and_stops_matching(stub, enrolled):
    temp = sf.enroll(stub, "Temporary Obama", ["obama3.jpg"], allow_cross_identity_match=True)
    face_id = temp[1].verdict.face_id
    assert temp[1].verdict.accepted and temp[1].verdict.matches_identity_id == enrolled["Barack Obama"]
    temp_id = temp[0].started.identity.identity_id
    assert stub.DeleteFace(pb.DeleteFaceRequest(face_id=face_id), timeout=30).identity_id == temp_id
    with pytest.raises(grpc.RpcError) as err:
        stub.DeleteFace(pb.DeleteFaceRequest(face_id=face_id), timeout=30)
    assert err.value.code() == grpc.StatusCode.NOT_FOUND
    answer = stub.ClassifyOne(pb.ClassifyRequest(face=sf.face("obama3.jpg"), top_k=5), timeout=120)
    assert temp_id not in [c.identity_id for c in answer.candidates]
    assert stub.DeleteIdentity(pb.DeleteIdentityRequest(identity_id=temp_id), timeout=30).faces_deleted == 0
    with pytest.raises(grpc.RpcError) as err:
        stub.GetIdentity(pb.GetIdentityRequest(identity_id=temp_id), timeout=30)
    assert err.value.code() == grpc.StatusCode.NOT_FOUND


def test_cross_identity_match_is_refused_by_default(stub, enrolled):
    answers = sf.enroll(stub, "Not Obama", ["obama3.jpg"])
    verdict = answers[1].verdict
    assert not verdict.accepted
    assert verdict.matches_identity_id == enrolled["Barack Obama"]
    assert verdict.error.code == grpc.StatusCode.ALREADY_EXISTS.value[0]
    assert answers[-1].summary.faces_accepted == 0


def test_duplicate_face_is_reported(stub, enrolled):
    answers = sf.enroll(stub, "", ["biden.jpg"], identity_id=enrolled["Joe Biden"])
    assert not answers[0].started.created
    verdict = answers[1].verdict
    assert not verdict.accepted and verdict.duplicate_of_face_id


# ---------------------------------------------------------------------------------------------
# Bad input over the wire: a clear status, and the server keeps serving.

def _png_header(width: int, height: int) -> bytes:
    import struct
    import zlib
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk))


BAD_FACES = [
    ("empty image", pb.Face(encoded=b""), grpc.StatusCode.INVALID_ARGUMENT),
    ("not an image", pb.Face(encoded=b"hello, this is not a JPEG" * 10), grpc.StatusCode.INVALID_ARGUMENT),
    ("20000x20000 PNG header", pb.Face(encoded=_png_header(20000, 20000)), grpc.StatusCode.RESOURCE_EXHAUSTED),
    ("truncated JPEG", None, grpc.StatusCode.INVALID_ARGUMENT),
    ("four landmarks", pb.Face(encoded=b"\xff\xd8", landmarks=[pb.Point(x=1, y=1)] * 4), grpc.StatusCode.INVALID_ARGUMENT),
    ("raw pixels too short", pb.Face(raw=pb.RawImage(width=100, height=100, format=pb.PIXEL_FORMAT_RGB8, pixels=b"\0" * 10)),
     grpc.StatusCode.INVALID_ARGUMENT),
    ("no image at all", pb.Face(), grpc.StatusCode.INVALID_ARGUMENT),
]


@pytest.mark.parametrize("what,bad,code", BAD_FACES, ids=[b[0] for b in BAD_FACES])
def test_bad_faces_get_a_clear_status(stub, server, what, bad, code):
    if bad is None:
        bad = pb.Face(encoded=sf.photo("obama.jpg")[:2000])
    with pytest.raises(grpc.RpcError) as err:
        stub.ClassifyOne(pb.ClassifyRequest(face=bad), timeout=60)
    assert err.value.code() == code, (what, err.value.details())
    assert err.value.details()
    assert server[0].alive()


def test_bad_faces_in_a_stream_get_per_face_errors(stub, enrolled):
    requests = [pb.ClassifyRequest(request_id="bad", face=pb.Face(encoded=b"junk")),
                pb.ClassifyRequest(request_id="good", face=sf.face("obama3.jpg"))]
    answers = list(stub.Classify(iter(requests), timeout=120))
    assert answers[0].request_id == "bad" and answers[0].error.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]
    assert answers[1].request_id == "good" and answers[1].decision == pb.DECISION_MATCH


@pytest.mark.parametrize("request_factory,code", [
    (lambda: pb.GetIdentityRequest(identity_id="999999"), grpc.StatusCode.NOT_FOUND),
    (lambda: pb.GetIdentityRequest(identity_id="not-a-number"), grpc.StatusCode.INVALID_ARGUMENT),
    (lambda: pb.GetIdentityRequest(identity_id=""), grpc.StatusCode.INVALID_ARGUMENT),
], ids=["unknown id", "malformed id", "empty id"])
def test_unknown_identity(stub, request_factory, code):
    with pytest.raises(grpc.RpcError) as err:
        stub.GetIdentity(request_factory(), timeout=30)
    assert err.value.code() == code


def test_huge_request_id_is_refused(stub):
    with pytest.raises(grpc.RpcError) as err:
        stub.ClassifyOne(pb.ClassifyRequest(request_id="x" * 100_000, face=sf.face("obama3.jpg")), timeout=60)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "request_id" in err.value.details()


def test_invalid_utf8_name_is_refused(server):
    # grpcio refuses to encode invalid UTF-8 strings, so write the protobuf bytes by hand:
    # EnrollRequest{start{display_name: b"\xc3\x28"}} = 0a 04 12 02 c3 28.
    call = server[1].stream_stream("/facegate.v1.FaceGate/Enroll",
                                   request_serializer=lambda b: b, response_deserializer=lambda b: b)
    with pytest.raises(grpc.RpcError) as err:
        list(call(iter([bytes.fromhex("0a041202c328")]), timeout=30))
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "UTF-8" in err.value.details()


def test_enroll_must_start_with_start(stub):
    with pytest.raises(grpc.RpcError) as err:
        list(stub.Enroll(iter([pb.EnrollRequest(face=pb.EnrollFace(face=sf.face("obama.jpg")))]), timeout=30))
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_top_k_limit(stub):
    with pytest.raises(grpc.RpcError) as err:
        stub.ClassifyOne(pb.ClassifyRequest(face=sf.face("obama3.jpg"), top_k=100_000), timeout=60)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_metrics_count_calls_and_decisions(server, stub, enrolled):
    text = sf.scrape(sf.metrics_port(server[0]))
    assert sf.metric_value(text, "facegate_requests_total", method="ClassifyOne", code="OK") >= 1
    assert sf.metric_value(text, "facegate_decisions_total", decision="match") >= 1
    assert sf.metric_value(text, "facegate_rejects_total") >= 1
    assert "facegate_batch_size_count" in text and "facegate_request_duration_seconds_bucket" in text
    assert sf.metric_value(text, "facegate_gallery_identities") >= 2


# ---------------------------------------------------------------------------------------------
# Durability and load shedding (each with its own server).

def test_restart_after_sigkill_keeps_every_acknowledged_face(tmp_path):
    gallery = str(tmp_path / "gallery.sqlite")
    srv = sf.start_serve(gallery, name="facegate-serve-crash")
    acked: dict[str, str] = {}  # face id -> identity id, only from accepted verdicts
    try:
        stub = rpc.FaceGateStub(sf.wait_serving(srv.target))
        killer = threading.Timer(0.0, lambda: None)
        for i in range(200):
            try:
                answers = sf.enroll(stub, f"person {i}", ["obama.jpg"], allow_cross_identity_match=True)
            except grpc.RpcError:
                break  # the server died mid-stream
            verdict = answers[1].verdict
            if verdict.accepted:
                acked[verdict.face_id] = answers[0].started.identity.identity_id
            if len(acked) == 8:
                killer = threading.Timer(0.05, lambda: os.kill(srv.pid, 9))
                killer.start()
        killer.join()
        assert srv.wait(30) == -9, "the server was not killed by SIGKILL"
    finally:
        sf.stop_serve(srv)
    assert len(acked) >= 8

    again = sf.start_serve(gallery, name="facegate-serve-restarted")
    try:
        stub = rpc.FaceGateStub(sf.wait_serving(again.target))
        for face_id, identity_id in acked.items():
            got = stub.GetIdentity(pb.GetIdentityRequest(identity_id=identity_id), timeout=30)
            assert face_id in [f.face_id for f in got.faces], (face_id, got)
        stats = stub.GetGalleryStats(pb.GetGalleryStatsRequest(), timeout=30)
        assert stats.face_count >= len(acked)
        # every stored face is whole: the index rebuilt from the store answers with it
        answer = stub.ClassifyOne(pb.ClassifyRequest(face=sf.face("obama.jpg")), timeout=120)
        assert answer.decision == pb.DECISION_MATCH and answer.candidates[0].distance < 0.05
    finally:
        sf.stop_serve(again)


def test_overload_is_shed_with_resource_exhausted_and_counted(tmp_path):
    srv = sf.start_serve(str(tmp_path / "gallery.sqlite"), "--max-batch", "1", "--max-queued-faces", "1",
                         "--max-delay-ms", "0", "--engine-threads", "1", name="facegate-serve-overload")
    try:
        channel = sf.wait_serving(srv.target)
        stub = rpc.FaceGateStub(channel)
        # Raw pixels of a face crop: nearly free to decode, so the engine is the bottleneck.
        request = pb.EmbedRequest(face=sf.raw_face_crop("obama.jpg", 160))
        codes: list = []
        lock = threading.Lock()

        def call() -> None:
            try:
                stub.EmbedOne(request, timeout=120)
                code = grpc.StatusCode.OK
            except grpc.RpcError as err:
                code = err.code()
            with lock:
                codes.append(code)

        threads = [threading.Thread(target=call) for _ in range(48)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert set(codes) <= {grpc.StatusCode.OK, grpc.StatusCode.RESOURCE_EXHAUSTED}, codes
        assert codes.count(grpc.StatusCode.RESOURCE_EXHAUSTED) >= 1, codes
        assert codes.count(grpc.StatusCode.OK) >= 1, codes

        # a deadline that passes while the face waits removes it from the queue
        with pytest.raises(grpc.RpcError) as err:
            stub.EmbedOne(request, timeout=0.001)
        assert err.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
        text = sf.scrape(sf.metrics_port(srv))
        assert sf.metric_value(text, "facegate_faces_dropped_total", why="shed") >= 1
        assert sf.metric_value(text, "facegate_requests_total", method="EmbedOne", code="RESOURCE_EXHAUSTED") >= 1
        # and the server still answers normally afterwards
        assert len(stub.EmbedOne(request, timeout=120).embedding) == 128
    finally:
        sf.stop_serve(srv)


def test_go_client_example_runs_the_same_flow(tmp_path):
    """Clients/go's example (built offline by scripts/build-go-client.sh): enroll, classify."""
    example = os.path.join(sf.REPO, ".build-go", "facegate-example")
    if not os.path.exists(example):
        pytest.fail("Go example not built: run scripts/build-go-client.sh (scripts/test.sh does)", pytrace=False)
    # The example sends whole photos without boxes, as a crop-based camera would: use face crops.
    from PIL import Image
    import io
    crops = {}
    for name in ["obama.jpg", "obama2.jpg", "obama3.jpg", "biden.jpg"]:
        left, top, right, bottom = sf.BOXES[name]
        margin = (right - left) // 2
        image = Image.open(io.BytesIO(sf.photo(name))).convert("RGB")
        crop = image.crop((left - margin, top - margin, right + margin, bottom + margin))
        path = tmp_path / name
        crop.save(path, format="JPEG", quality=95)
        crops[name] = str(path)
    srv = sf.start_serve(str(tmp_path / "gallery.sqlite"), name="facegate-serve-go")
    try:
        sf.wait_serving(srv.target).close()

        def run(*args: str) -> str:
            out = subprocess.run([example, "-addr", srv.target, "-timeout", "300s", *args],
                                 capture_output=True, text=True, timeout=320)
            assert out.returncode == 0, out.stderr
            return out.stdout

        assert run("health").strip() == "SERVING"
        enrolled = run("enroll", "Barack Obama", crops["obama.jpg"], crops["obama2.jpg"])
        assert "created=true" in enrolled and enrolled.count(": accepted face ") == 2, enrolled
        classified = run("classify", crops["obama3.jpg"], crops["biden.jpg"]).splitlines()
        assert "DECISION_MATCH Barack Obama" in classified[0], classified
        assert "DECISION_UNKNOWN" in classified[1], classified
        assert "identities=1 faces=2" in run("stats")
    finally:
        sf.stop_serve(srv)


SOAK_SECONDS = float(os.environ.get("FACEGATE_SOAK_SECONDS", "30"))


def test_64_concurrent_classify_streams(tmp_path):
    """64 bidi Classify streams for SOAK_SECONDS (30 s by default): no errors, every answer the
    right identity, server memory stable (RSS after warm-up vs at the end)."""
    srv = sf.start_serve(str(tmp_path / "gallery.sqlite"), name="facegate-serve-soak")
    try:
        channel = sf.wait_serving(srv.target)
        stub = rpc.FaceGateStub(channel)
        sf.enroll(stub, "Barack Obama", ["obama.jpg", "obama2.jpg"])
        sf.enroll(stub, "Joe Biden", ["biden.jpg"])
        frames = [(sf.raw_face_crop("obama3.jpg", 160), "Barack Obama"), (sf.raw_face_crop("biden.jpg", 160), "Joe Biden")]
        end = time.monotonic() + SOAK_SECONDS
        failures: list[str] = []
        answered = [0] * 64
        rss: list[int] = []

        def camera(index: int) -> None:
            expected: list[str] = []
            answered_one = threading.Semaphore(0)

            def requests():
                # A camera keeps one frame in flight: the next frame follows the last answer.
                n = 0
                while time.monotonic() < end and not failures:
                    face, name = frames[(index + n) % 2]
                    expected.append(name)
                    yield pb.ClassifyRequest(request_id=f"{index}/{n}", face=face)
                    n += 1
                    if not answered_one.acquire(timeout=300):
                        return

            try:
                for i, answer in enumerate(stub.Classify(requests(), timeout=SOAK_SECONDS + 300)):
                    ok = (answer.request_id == f"{index}/{i}" and answer.decision == pb.DECISION_MATCH
                          and answer.candidates[0].display_name == expected[i])
                    if not ok:
                        failures.append(f"stream {index} answer {i}: {answer}")
                        return
                    answered[index] += 1
                    answered_one.release()
            except grpc.RpcError as err:
                failures.append(f"stream {index}: {err.code()} {err.details()}")

        threads = [threading.Thread(target=camera, args=(i,)) for i in range(64)]
        for t in threads:
            t.start()
        time.sleep(min(5.0, SOAK_SECONDS / 3))
        rss.append(srv.rss_bytes())
        for t in threads:
            t.join()
        rss.append(srv.rss_bytes())
        assert not failures, failures[:3]
        assert all(n > 0 for n in answered), answered
        assert rss[1] <= rss[0] * 1.5 + 64 * 2**20, f"RSS grew from {rss[0]} to {rss[1]} bytes"
        text = sf.scrape(sf.metrics_port(srv))
        assert sf.metric_value(text, "facegate_decisions_total", decision="match") >= sum(answered)
    finally:
        sf.stop_serve(srv)


MOBILEFACENET = os.path.join(sf.REPO, "..", "shared", "models", "mobilefacenet_foamliu.onnx")


def test_mobilefacenet_serves_the_same_flow(tmp_path):
    """Optional tier: a MobileNetV2-class ONNX model (../shared, development only) end to end."""
    if not os.path.exists(MOBILEFACENET):
        pytest.skip(f"optional MobileFaceNet tier: {MOBILEFACENET} is absent (development data, not shipped)")
    srv = sf.start_serve(str(tmp_path / "gallery.sqlite"), "--model", MOBILEFACENET, name="facegate-serve-mfn")
    try:
        stub = rpc.FaceGateStub(sf.wait_serving(srv.target))
        stats = stub.GetGalleryStats(pb.GetGalleryStatsRequest(), timeout=30)
        assert stats.model_id.startswith("mobilefacenet_foamliu@sha256:") and stats.embedding_dim == 128
        enrolled = sf.enroll(stub, "Barack Obama", ["obama.jpg", "obama2.jpg"])
        assert [r.verdict.accepted for r in enrolled[1:-1]] == [True, True], enrolled
        unknown = stub.ClassifyOne(pb.ClassifyRequest(face=sf.face("biden.jpg")), timeout=120)
        assert unknown.decision == pb.DECISION_UNKNOWN, unknown
        match = stub.ClassifyOne(pb.ClassifyRequest(face=sf.face("obama3.jpg")), timeout=120)
        assert match.decision == pb.DECISION_MATCH and match.candidates[0].display_name == "Barack Obama", match
        blurred = sf.degraded("obama3.jpg", "blur")
        rejected = stub.ClassifyOne(pb.ClassifyRequest(face=sf.face("obama3.jpg", blurred)), timeout=120)
        assert rejected.decision == pb.DECISION_REJECTED and pb.REJECT_REASON_BLURRY in rejected.ood.reasons
    finally:
        sf.stop_serve(srv)


def test_pruning_rules_are_selectable_and_validated(tmp_path):
    """`--pruning expected:DELTA` serves with the expected-ratio rule; a bad value is refused."""
    binary = conftest.our_binary("facegate")
    bad = subprocess.run([binary, "serve", "--port", "0", "--gallery", str(tmp_path / "bad.sqlite"),
                          "--pruning", "expected:0.5"], capture_output=True, text=True, timeout=120)
    assert bad.returncode != 0 and "--pruning must be exact, ratio:DELTA or expected:DELTA" in bad.stderr, bad.stderr
    srv = sf.start_serve(str(tmp_path / "gallery.sqlite"), "--pruning", "expected:1.2", name="facegate-serve-expected")
    try:
        channel = sf.wait_serving(srv.target)
        stub = rpc.FaceGateStub(channel)
        requests = [pb.EnrollRequest(start=pb.EnrollStart(display_name="Barack Obama")),
                    pb.EnrollRequest(face=pb.EnrollFace(face=sf.face("obama.jpg")))]
        assert any(r.verdict.accepted for r in stub.Enroll(iter(requests), timeout=120))
        stats = stub.GetGalleryStats(pb.GetGalleryStatsRequest(), timeout=30)
        assert stats.index_kind == "sequential(expected(1.2))", stats.index_kind
        answer = stub.ClassifyOne(pb.ClassifyRequest(face=sf.face("obama3.jpg")), timeout=120)
        assert answer.decision == pb.DECISION_MATCH and answer.candidates[0].display_name == "Barack Obama"
        channel.close()
    finally:
        sf.stop_serve(srv)
