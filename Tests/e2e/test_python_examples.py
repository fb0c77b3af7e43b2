"""Clients/python/examples against a real server with the default model: enroll a folder with
one Enroll stream per person, then classify frames over one bidi Classify stream."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import service_fixtures as sf

EXAMPLES = os.path.join(sf.REPO, "Clients", "python", "examples")


def face_crop(name: str, path, blur: float = 0.0) -> str:
    """The photo cropped around its face (as a capture app sends it), optionally blurred."""
    from PIL import Image, ImageFilter
    left, top, right, bottom = sf.BOXES[name]
    margin = (right - left) // 2
    image = Image.open(io.BytesIO(sf.photo(name))).convert("RGB")
    crop = image.crop((left - margin, top - margin, right + margin, bottom + margin))
    if blur:
        crop = crop.filter(ImageFilter.GaussianBlur(blur))
    crop.save(path, format="JPEG", quality=95)
    return str(path)


def run_example(script: str, *args: str) -> str:
    out = subprocess.run([sys.executable, os.path.join(EXAMPLES, script), *args],
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout


def test_enroll_folder_then_classify_frames(tmp_path):
    people = tmp_path / "people"
    (people / "Barack Obama").mkdir(parents=True)
    (people / "Joe Biden").mkdir()
    face_crop("obama.jpg", people / "Barack Obama" / "obama.jpg")
    face_crop("obama2.jpg", people / "Barack Obama" / "obama2.jpg")
    face_crop("biden.jpg", people / "Joe Biden" / "biden.jpg")
    face_crop("obama.jpg", people / "Joe Biden" / "blurred.jpg", blur=6)  # refused with a reason

    srv = sf.start_serve(str(tmp_path / "gallery.sqlite"), name="facegate-serve-py-examples")
    try:
        sf.wait_serving(srv.target).close()
        enrolled = run_example("enroll_folder.py", srv.target, str(people))
        assert "Barack Obama: identity " in enrolled and "(created)" in enrolled, enrolled
        assert enrolled.count(": accepted as ") == 3, enrolled
        assert "blurred.jpg: rejected (BLURRY" in enrolled, enrolled
        assert "enrolled 2 people: 3 faces accepted, 1 rejected" in enrolled, enrolled

        frames = [face_crop("obama3.jpg", tmp_path / "f1.jpg"), face_crop("biden.jpg", tmp_path / "f2.jpg"),
                  face_crop("obama3.jpg", tmp_path / "f3.jpg", blur=6)]
        classified = run_example("classify_frames.py", srv.target, *frames, "--loops", "2", "--fps", "20")
        lines = [line for line in classified.splitlines() if line.startswith(("0:", "1:"))]
        # Answers come back in frame order, tagged with their request ids.
        assert [line.split(": ")[0] for line in lines] == [f"{loop}:{i}:f{i + 1}.jpg" for loop in range(2) for i in range(3)]
        for loop in range(2):
            assert "MATCH Barack Obama" in lines[3 * loop], classified
            assert "MATCH Joe Biden" in lines[3 * loop + 1], classified
            assert "REJECTED (BLURRY" in lines[3 * loop + 2], classified
        assert "answers: MATCH 4, REJECTED 2" in classified, classified
    finally:
        sf.stop_serve(srv)


def test_every_rpc_tour_runs_and_is_the_readme_example(tmp_path):
    """examples/every_rpc.py calls each RPC once; the README shows exactly this file."""
    a, b, c = (face_crop(n, tmp_path / n) for n in ("obama.jpg", "obama2.jpg", "biden.jpg"))
    srv = sf.start_serve(str(tmp_path / "gallery.sqlite"), name="facegate-serve-py-tour")
    try:
        sf.wait_serving(srv.target).close()
        out = run_example("every_rpc.py", srv.target, a, b, c).splitlines()
    finally:
        sf.stop_serve(srv)
    assert out[0] == "health: SERVING"
    assert out[1].startswith("EmbedOne: e1 dlib_resnet_v1@sha256:") and "128 floats, accepted: True" in out[1]
    assert [line.split(" OOD")[0] for line in out[2:4]] == ["Embed: obama.jpg", "Embed: biden.jpg"]
    assert out[4:6] == ["Enroll verdict: a1 accepted", "Enroll summary: 1 of 1 accepted"]
    assert out[6].startswith("ClassifyOne: DECISION_MATCH Person A distance")
    assert out[7:9] == ["Classify: obama2.jpg DECISION_MATCH", "Classify: biden.jpg DECISION_UNKNOWN"]
    assert out[9] == "ListIdentities: [('1', 'Person A', 1)] of 1"
    assert out[10:] == ["GetIdentity: Person A ['1']", "GetGalleryStats: 1 identities, 1 faces",
                        "DeleteFace: face of identity 1", "DeleteIdentity: 0 faces deleted",
                        "GetIdentity after delete: NOT_FOUND"]
    with open(os.path.join(sf.REPO, "README.md")) as f:
        readme = f.read()
    with open(os.path.join(EXAMPLES, "every_rpc.py")) as f:
        assert f.read() in readme, "README.md must show Clients/python/examples/every_rpc.py verbatim"
