#!/usr/bin/env python3
"""Accuracy report on lfw-dev through `facegate embed` (decode -> landmarks -> align -> engine).

Gallery = the first image (lowest LFW index) of every identity with >= 2 images; probes = the
rest. Prints rank-1 identification accuracy (closed set over those identities) and verification
accuracy at the best threshold over all probe x gallery pairs (balanced: mean of TPR and TNR).
Usage: .venv/bin/python scripts/eval-lfw.py --bin .build/release/facegate --data ../shared/datasets/lfw-dev \
          [--model dlib|PATH] [--extra "--crop-size 0.5"]
"""
import argparse
import json
import os
import shlex
import subprocess
from collections import defaultdict

import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=".build/release/facegate")
    ap.add_argument("--data", default="../shared/datasets/lfw-dev")
    ap.add_argument("--model", default="dlib")
    ap.add_argument("--extra", default="")
    args = ap.parse_args()
    people = defaultdict(list)
    for name in sorted(os.listdir(args.data)):
        files = [f for f in os.listdir(os.path.join(args.data, name)) if f.endswith(".jpg")]
        files.sort(key=lambda f: int(f.split(".")[0]))
        if len(files) >= 2:
            people[name] = [os.path.join(args.data, name, f) for f in files]
    paths = [p for files in people.values() for p in files]
    cmd = [args.bin, "embed", "--model", args.model] + shlex.split(args.extra) + paths
    out = subprocess.run(cmd, capture_output=True, text=True)
    emb, failed, timings = {}, 0, defaultdict(list)
    for line in out.stdout.splitlines():
        d = json.loads(line)
        if "embedding" in d:
            emb[d["file"]] = np.array(d["embedding"], dtype=np.float32)
            for k, v in d["timings_ms"].items():
                timings[k].append(v)
        else:
            failed += 1
    names = sorted(people)
    gallery = np.stack([emb[people[n][0]] for n in names])
    correct = total = 0
    genuine, impostor = [], []
    for i, n in enumerate(names):
        for p in people[n][1:]:
            if p not in emb:
                continue
            d = np.linalg.norm(gallery - emb[p], axis=1)
            total += 1
            correct += int(np.argmin(d) == i)
            genuine.append(d[i])
            impostor.extend(np.delete(d, i))
    genuine, impostor = np.array(genuine), np.array(impostor)
    best, best_t = 0.0, 0.0
    for t in np.quantile(np.concatenate([genuine, impostor[:: max(1, len(impostor) // 20000)]]), np.linspace(0, 1, 2001)):
        acc = ((genuine < t).mean() + (impostor >= t).mean()) / 2
        if acc > best:
            best, best_t = acc, t
    print(json.dumps({"model": args.model, "extra": args.extra, "identities": len(names), "probes": total,
                      "failed": failed, "rank1": round(correct / total, 4), "verification": round(best, 4),
                      "threshold": round(float(best_t), 3),
                      "median_ms": {k: round(float(np.median(v)), 3) for k, v in timings.items()}}))


if __name__ == "__main__":
    main()
