#!/usr/bin/env python3
"""Embeds lfw-dev with MobileFaceNet (onnxruntime) for `facegate bench index --vectors`.

Development aid, not part of the product: no landmark alignment (a fixed central crop of the
roughly centred 250x250 LFW photos, resized to 112x112), so accuracy is below the aligned
pipeline's; the embeddings still carry the model's real PCA spectrum. Writes DIR/vectors.f32
(little-endian float32 rows, L2-normalised) and DIR/labels.txt (one identity per row).

    .venv/bin/python scripts/bench-index-embed-lfw.py ../shared/datasets/lfw-dev \\
        ../shared/models/mobilefacenet_foamliu.onnx OUTDIR
"""
import os
import sys

import numpy as np
import onnxruntime as ort
from PIL import Image


def main(dataset, model, out):
    os.makedirs(out, exist_ok=True)
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    sess = ort.InferenceSession(model, opts)
    mean = np.array([0.485, 0.456, 0.406], np.float32)[:, None, None]
    std = np.array([0.229, 0.224, 0.225], np.float32)[:, None, None]
    vectors, labels = [], []
    for person in sorted(os.listdir(dataset)):
        folder = os.path.join(dataset, person)
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            img = Image.open(os.path.join(folder, name)).convert("RGB")
            w, h = img.size
            c = int(min(w, h) * 0.54)  # central face region of an LFW 250x250 photo (best of a small sweep)
            img = img.crop((w // 2 - c // 2, h // 2 - c // 2, w // 2 + c // 2, h // 2 + c // 2))
            x = np.asarray(img.resize((112, 112), Image.BILINEAR), np.float32).transpose(2, 0, 1) / 255.0
            x = ((x - mean) / std)[None]
            e = sess.run(None, {"input0": x})[0][0]
            vectors.append(e / np.linalg.norm(e))
            labels.append(person)
    np.asarray(vectors, np.float32).tofile(os.path.join(out, "vectors.f32"))
    with open(os.path.join(out, "labels.txt"), "w") as f:
        f.write("\n".join(labels) + "\n")
    print(f"{len(labels)} embeddings of {len(set(labels))} identities -> {out}")


if __name__ == "__main__":
    main(*sys.argv[1:4])
