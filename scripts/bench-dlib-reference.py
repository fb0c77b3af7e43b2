#!/usr/bin/env python3
"""dlib ResNet: FaceGate's engine vs onnxruntime on the same network, same run, alternating rounds.

Exports the .dat to ONNX first when needed (scripts/dlib-to-onnx.py), checks the export against
dlib's committed reference descriptor, then for each (batch, threads) setting alternates
`facegate bench dlib --json` and an onnxruntime session (intra-op threads = threads) for --rounds
rounds and prints medians and ratios (ours / onnxruntime: < 1 means FaceGate is faster).
Usage: .venv/bin/python scripts/bench-dlib-reference.py [--facegate .build/release/facegate]
           [--cache ~/.cache/facegate] [--rounds 3] [--runs 20]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort

ROOT = Path(__file__).resolve().parent.parent


def lcg(count):
    x, out = 1, np.empty(count, dtype=np.float32)
    for i in range(count):
        x = (x * 1103515245 + 12345) % (1 << 31)
        out[i] = (x >> 16) & 255
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--facegate", default=str(ROOT / ".build/release/facegate"))
    ap.add_argument("--cache", default=os.environ.get("FACEGATE_CACHE", str(Path.home() / ".cache/facegate")))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--runs", type=int, default=20)
    args = ap.parse_args()
    dat = Path(args.cache) / "dlib_face_recognition_resnet_model_v1.dat"
    onnx_path = Path(args.cache) / "dlib_resnet_v1.onnx"
    if not onnx_path.exists():
        subprocess.check_call([sys.executable, str(ROOT / "scripts/dlib-to-onnx.py"), str(dat), str(onnx_path)])
    ref = json.load(open(ROOT / "Tests/Fixtures/dlib/references.json"))["noise_chips"][0]["descriptor"]
    chip = lcg(150 * 150 * 3).reshape(150, 150, 3).transpose(2, 0, 1)[None].copy()
    check = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"]).run(None, {"input": chip})[0][0]
    print(f"export check: onnxruntime vs dlib reference max abs {np.abs(check - np.array(ref)).max():.2e}")
    for batch, threads in ((1, 1), (8, 2)):
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        sess = ort.InferenceSession(str(onnx_path), opts, providers=["CPUExecutionProvider"])
        x = lcg(batch * 3 * 150 * 150).reshape(batch, 3, 150, 150)
        ours, theirs = [], []
        for _ in range(args.rounds):
            out = subprocess.run([args.facegate, "bench", "dlib", "--cache", args.cache, "--batch", str(batch),
                                  "--threads", str(threads), "--runs", str(args.runs), "--json"],
                                 capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
            ours.append(json.loads(out)["ms_per_face"])
            for _ in range(3):
                sess.run(None, {"input": x})
            t = []
            for _ in range(args.runs):
                t0 = time.perf_counter()
                sess.run(None, {"input": x})
                t.append((time.perf_counter() - t0) * 1e3 / batch)
            theirs.append(statistics.median(t))
        o, r = statistics.median(ours), statistics.median(theirs)
        print(f"batch {batch} / {threads} thread(s): facegate {o:.2f} ms/face, onnxruntime {r:.2f} ms/face, ratio {o / r:.2f}")


if __name__ == "__main__":
    main()
