#!/usr/bin/env bash
# Test data for the image/dlib tests, fetched with pip from PyPI (no other network access):
#   .cache/testdata/test_images/  the face_recognition 1.3.0 sdist's tests/test_images (photos)
#   .cache/models/                the pinned dlib model files (`facegate model fetch`, built here)
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

# The models through the product's own fetch (pip download, extract, sha256 check).
swift build --product facegate 2>&1 | tail -n 1
"$(swift build --show-bin-path)/facegate" model fetch --cache .cache/models --python "$PY"
echo "test data ready: .cache/testdata/test_images, .cache/models"
