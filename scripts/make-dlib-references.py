#!/usr/bin/env python3
"""Reference landmarks, chips and descriptors from dlib itself (PyPI dlib-bin), committed so the
Swift tests need no dlib: Tests/Fixtures/dlib/references.json plus dlib's own 150x150 chips as PNG.

Needs: scripts/fetch-test-data.sh (test photos + model files), `pip install dlib-bin==20.0.1.post1`.
Run from the repository root: .venv/bin/python scripts/make-dlib-references.py
Images are decoded with Pillow (as face_recognition.load_image_file does: convert("RGB")).
"""
import hashlib
import json
from pathlib import Path

import dlib
import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / ".cache" / "testdata" / "test_images"
MODELS = ROOT / ".cache" / "models"
OUT = ROOT / "Tests" / "Fixtures" / "dlib"


def noise_chip(seed):
    """150x150x3 bytes from a 31-bit LCG (the Swift tests regenerate it identically)."""
    x = seed
    out = bytearray(150 * 150 * 3)
    for i in range(len(out)):
        x = (x * 1103515245 + 12345) % (1 << 31)
        out[i] = (x >> 16) & 255
    return np.frombuffer(bytes(out), dtype=np.uint8).reshape(150, 150, 3)


def parts(shape):
    return [[shape.part(i).x, shape.part(i).y] for i in range(shape.num_parts)]


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    detector = dlib.get_frontal_face_detector()
    sp = dlib.shape_predictor(str(MODELS / "shape_predictor_5_face_landmarks.dat"))
    facerec = dlib.face_recognition_model_v1(str(MODELS / "dlib_face_recognition_resnet_model_v1.dat"))
    rng = np.random.RandomState(1234)
    result = {"dlib_version": dlib.__version__, "images": [], "noise_chips": [], "perturbed_boxes": []}
    for path in sorted(IMAGES.iterdir()):
        img = np.array(Image.open(path).convert("RGB"))
        dets = detector(img, 1)
        entry = {"file": path.name, "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                 "width": img.shape[1], "height": img.shape[0], "faces": []}
        for k, d in enumerate(dets):
            box = [d.left(), d.top(), d.right(), d.bottom()]
            shape = sp(img, d)
            chip = dlib.get_face_chip(img, shape, size=150, padding=0.25)
            chip_name = f"{path.stem}-{k}.chip.png"
            Image.fromarray(chip).save(OUT / chip_name)
            chip_descriptor = list(facerec.compute_face_descriptor(chip))
            full_descriptor = list(facerec.compute_face_descriptor(img, shape, 0, 0.25))
            entry["faces"].append({"box": box, "landmarks": parts(shape), "chip": chip_name,
                                   "chip_descriptor": chip_descriptor, "descriptor": full_descriptor})
            # Perturbed boxes: shifted and scaled, with dlib's landmarks for each.
            for _ in range(8):
                w, h = d.width(), d.height()
                dx, dy = rng.randint(-w // 6, w // 6 + 1), rng.randint(-h // 6, h // 6 + 1)
                s = rng.uniform(0.8, 1.25)
                cx, cy = (d.left() + d.right()) / 2 + dx, (d.top() + d.bottom()) / 2 + dy
                nb = dlib.rectangle(int(cx - s * w / 2), int(cy - s * h / 2), int(cx + s * w / 2), int(cy + s * h / 2))
                result["perturbed_boxes"].append({"file": path.name, "box": [nb.left(), nb.top(), nb.right(), nb.bottom()],
                                                  "landmarks": parts(sp(img, nb))})
        result["images"].append(entry)
    for seed in (1, 2, 3):
        chip = noise_chip(seed)
        result["noise_chips"].append({"seed": seed, "descriptor": list(facerec.compute_face_descriptor(chip))})
    (OUT / "references.json").write_text(json.dumps(result, indent=1))
    print("faces:", sum(len(e["faces"]) for e in result["images"]), "perturbed boxes:", len(result["perturbed_boxes"]))


if __name__ == "__main__":
    main()
