#!/usr/bin/env python3
"""Reference feature extraction for the OOD gate (not part of the product).

Walks DIR/identity/*.jpg, detects faces with YuNet, aligns them to the 112x112 ArcFace
template, embeds them with an ONNX MobileFaceNet-class model, measures the gate's quality cues
exactly as Sources/OODGate/QualityCues+Measure.swift does, and also embeds synthetic degraded
copies of every image (two kinds per image, seeded). Degradations are applied to the SOURCE
image and the copy is re-detected and re-aligned, as the server would see it; copies where no
face is found are counted (the server answers NO_FACE) and not written.

Writes a FeatureSet file ("FGFS" v1, see Sources/OODGate/Training/FeatureSet.swift) for
`facegate train-gate --features` and `facegate eval gate --features`.

Usage: .venv/bin/python scripts/reference-gate-features.py --data ../shared/datasets/lfw-dev \
         --model ../shared/models/mobilefacenet_foamliu.onnx \
         --detector ../shared/models/face_detection_yunet_2023mar.onnx --out lfw-dev.fgfs
"""
import argparse
import hashlib
import io
import os
import random
import struct
import sys
import time

import numpy as np
import onnxruntime as ort
from PIL import Image, ImageFilter

TEMPLATE = np.array([[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366],
                     [41.5493, 92.3655], [70.7299, 92.2041]], dtype=np.float64)
MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)
# Degradation kinds: raw values of OODGate's Degradation.Kind.
KINDS = {"blur": 1, "noise": 2, "lowLight": 3, "overExposure": 4, "downscale": 5, "occlusion": 6, "blockDCT": 7}


def session(path):
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    return ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])


def detect(det, rgb):
    """Best face (nearest the centre among confident ones): (score, box, 5x2 landmarks) or None."""
    h, w = rgb.shape[:2]
    sx, sy = 640.0 / w, 640.0 / h
    img = np.asarray(Image.fromarray(rgb).resize((640, 640), Image.BILINEAR), dtype=np.float32)
    blob = img[:, :, ::-1].transpose(2, 0, 1)[None].copy()  # BGR, NCHW, 0..255
    out = dict(zip([o.name for o in det.get_outputs()], det.run(None, {"input": blob})))
    faces = []
    for s in (8, 16, 32):
        cols = 640 // s
        cls = out[f"cls_{s}"][0, :, 0]
        obj = out[f"obj_{s}"][0, :, 0]
        score = np.sqrt(np.clip(cls, 0, 1) * np.clip(obj, 0, 1))
        for i in np.nonzero(score > 0.5)[0]:
            r, c = divmod(int(i), cols)
            b = out[f"bbox_{s}"][0, i]
            k = out[f"kps_{s}"][0, i]
            cx, cy = (c + b[0]) * s, (r + b[1]) * s
            bw, bh = np.exp(b[2]) * s, np.exp(b[3]) * s
            box = np.array([(cx - bw / 2) / sx, (cy - bh / 2) / sy, bw / sx, bh / sy])
            pts = np.array([[(k[2 * n] + c) * s / sx, (k[2 * n + 1] + r) * s / sy] for n in range(5)])
            faces.append((float(score[i]), box, pts))
    if not faces:
        return None
    # Non-maximum suppression is unnecessary here: pick the confident face nearest the centre.
    def off(f):
        b = f[1]
        return ((b[0] + b[2] / 2 - w / 2) ** 2 + (b[1] + b[3] / 2 - h / 2) ** 2) / (w * h) - 0.05 * f[0]
    return min(faces, key=off)


def similarity(src, dst):
    """Least-squares similarity (Umeyama, no reflection) mapping src points to dst points."""
    ms, md = src.mean(0), dst.mean(0)
    s, d = src - ms, dst - md
    cov = d.T @ s / len(src)
    u, sig, vt = np.linalg.svd(cov)
    e = np.eye(2)
    if np.linalg.det(u) * np.linalg.det(vt) < 0:
        e[1, 1] = -1
    r = u @ e @ vt
    scale = np.trace(np.diag(sig) @ e) / (s ** 2).sum() * len(src)
    m = np.zeros((2, 3))
    m[:, :2] = scale * r
    m[:, 2] = md - scale * r @ ms
    return m


def align(rgb, pts):
    m = similarity(pts, TEMPLATE)
    a = np.vstack([m, [0, 0, 1]])
    inv = np.linalg.inv(a)[:2].flatten()  # output -> input, PIL's convention
    return np.asarray(Image.fromarray(rgb).transform((112, 112), Image.AFFINE, tuple(inv), Image.BILINEAR))


def cues(face, pts, confidence):
    """Same arithmetic as QualityCues(alignedFace:landmarks:landmarkConfidence:)."""
    f = face.astype(np.uint32)
    g = ((77 * f[:, :, 0] + 150 * f[:, :, 1] + 29 * f[:, :, 2] + 128) >> 8).astype(np.int64)
    mean = g.mean()
    std = np.sqrt(max(0.0, (g * g).mean() - mean * mean))
    lap = g[:-2, 1:-1] + g[2:, 1:-1] + g[1:-1, :-2] + g[1:-1, 2:] - 4 * g[1:-1, 1:-1]
    sharp = max(0.0, (lap * lap).mean() - lap.mean() ** 2)
    le, re, nose = pts[0], pts[1], pts[2]
    iod = float(np.hypot(*(re - le)))
    roll = float(np.degrees(np.arctan2(re[1] - le[1], re[0] - le[0])))
    yaw = 0.0
    if iod > 1e-3:
        u = (re - le) / iod
        yaw = float(np.clip(np.dot(nose - (le + re) / 2, u) / (iod / 2), -1, 1))
    return [iod, sharp, mean, float((g <= 5).mean()), float((g >= 250).mean()), std, roll, yaw,
            float(min(1, max(0, confidence)))]


def embed(net, face):
    """(L2-normalised embedding, norm of the raw output)."""
    x = ((face.astype(np.float32) / 255 - MEAN) / STD).transpose(2, 0, 1)[None]
    e = net.run(None, {net.get_inputs()[0].name: x})[0][0]
    n = float(np.linalg.norm(e))
    return e / max(n, 1e-12), n


def degrade(kind, rgb, box, rng):
    img = Image.fromarray(rgb)
    u = rng.uniform
    if kind == "blur":
        return np.asarray(img.filter(ImageFilter.GaussianBlur(u(2.5, 5))))
    if kind == "noise":
        n = np.random.default_rng(rng.randrange(1 << 30)).normal(0, u(12, 25), rgb.shape)
        return np.clip(rgb + n, 0, 255).round().astype(np.uint8)
    if kind == "lowLight":
        return np.clip(255 * (rgb / 255.0) ** u(1.2, 2) * u(0.08, 0.2), 0, 255).round().astype(np.uint8)
    if kind == "overExposure":
        return np.clip(rgb * u(2.2, 4), 0, 255).round().astype(np.uint8)
    if kind == "downscale":
        f = u(0.15, 0.3)
        w, h = img.size
        return np.asarray(img.resize((max(8, round(w * f)), max(8, round(h * f))), Image.BOX))
    if kind == "occlusion":
        out = rgb.copy()
        x, y, bw, bh = box
        ow, oh = u(0.5, 0.8) * bw, u(0.35, 0.55) * bh
        x0 = int(x + u(0, bw - ow)); y0 = int(y + u(0.15 * bh, bh - oh))
        out[max(0, y0):max(0, int(y0 + oh)), max(0, x0):max(0, int(x0 + ow))] = int(u(0, 255))
        return out
    if kind == "blockDCT":  # heavy JPEG
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=int(u(4, 10)))
        return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))
    raise ValueError(kind)


def fnv1a64(data):
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def write_features(path, model_id, dims, records):
    def s(t):
        b = t.encode()
        return struct.pack("<I", len(b)) + b
    parts = [b"FGFS", struct.pack("<I", 1), s(model_id), struct.pack("<III", dims, 10, len(records))]
    for identity, source, variant, emb, cue in records:
        parts += [s(identity), s(source), struct.pack("<B", variant),
                  np.asarray(emb, dtype="<f4").tobytes(), np.asarray(cue, dtype="<f4").tobytes()]
    body = b"".join(parts)
    with open(path, "wb") as f:
        f.write(body + struct.pack("<Q", fnv1a64(body)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--detector", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--variants", type=int, default=2, help="degraded copies per image")
    ap.add_argument("--seed", type=int, default=6)
    ap.add_argument("--limit", type=int, default=0, help="only the first N identities (smoke runs)")
    a = ap.parse_args()
    # The model id is the lower-case hex sha256 of the weights file (ModelIdentity.sha256).
    model_id = hashlib.sha256(open(a.model, "rb").read()).hexdigest()
    det, net = session(a.detector), session(a.model)
    rng = random.Random(a.seed)
    ids = sorted(d for d in os.listdir(a.data) if os.path.isdir(os.path.join(a.data, d)))
    if a.limit:
        ids = ids[:a.limit]
    records, missed, lost = [], 0, {k: 0 for k in KINDS}
    made = {k: 0 for k in KINDS}
    t0 = time.time()
    for n, ident in enumerate(ids):
        for fn in sorted(os.listdir(os.path.join(a.data, ident))):
            if not fn.lower().endswith((".jpg", ".jpeg", ".png")):
                continue
            src = f"{ident}/{fn}"
            rgb = np.asarray(Image.open(os.path.join(a.data, src)).convert("RGB"))
            found = detect(det, rgb)
            if found is None:
                missed += 1
                continue
            score, box, pts = found
            face = align(rgb, pts)
            e, norm = embed(net, face)
            records.append((ident, src, 0, e, cues(face, pts, score) + [norm]))
            for kind in rng.sample(sorted(KINDS), a.variants):
                made[kind] += 1
                bad = degrade(kind, rgb, box, rng)
                f2 = detect(det, bad)
                if f2 is None:
                    lost[kind] += 1
                    continue
                face2 = align(bad, f2[2])
                e2, norm2 = embed(net, face2)
                records.append((ident, src, KINDS[kind], e2, cues(face2, f2[2], f2[0]) + [norm2]))
        if n % 200 == 0:
            print(f"{n}/{len(ids)} identities, {len(records)} records, {time.time() - t0:.0f}s", file=sys.stderr)
    write_features(a.out, model_id, 128, records)
    print(f"model {model_id}")
    print(f"{len(records)} records; originals without a face: {missed}")
    for k in sorted(KINDS):
        print(f"  {k}: {made[k]} made, {lost[k]} lost (no face found -> NO_FACE)")


if __name__ == "__main__":
    main()
