#!/usr/bin/env python3
"""Runs `facegate bench index` and, in the same run, FAISS IndexFlatL2 on the same vectors.

The Swift bench writes each gallery and its queries as raw float32 files (--export); this
script times FAISS on them (one thread, one query at a time and batches of the same size) and
prints our/FAISS ratios of the p50 times. Extra arguments are passed to `facegate bench index`.

    .venv/bin/python scripts/bench-index-faiss.py [--facegate PATH] [bench index flags...]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np


def faiss_times(gallery, queries, batch, singles, batches):
    import faiss
    faiss.omp_set_num_threads(1)
    d = gallery.shape[1]
    index = faiss.IndexFlatL2(d)
    index.add(gallery)
    k = 1
    index.search(queries[:8], k)  # warm-up
    single = []
    for i in range(min(singles, len(queries))):
        q = queries[i:i + 1]
        t = time.perf_counter()
        index.search(q, k)
        single.append(time.perf_counter() - t)
    per_query = []
    for b in range(batches):
        qs = queries[b * batch:(b + 1) * batch]
        if len(qs) < batch:
            break
        t = time.perf_counter()
        index.search(qs, k)
        per_query.append((time.perf_counter() - t) / batch)
    ms = lambda xs, q: float(np.percentile(np.array(xs) * 1000, q)) if xs else 0.0
    return {"p50_ms": ms(single, 50), "p99_ms": ms(single, 99), "p10_ms": ms(single, 10),
            "batch_p50_ms_per_query": ms(per_query, 50), "batch_p99_ms_per_query": ms(per_query, 99)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--facegate", default=".build/release/facegate")
    ap.add_argument("--keep", action="store_true", help="keep the exported vector files")
    args, rest = ap.parse_known_args()
    tmp = tempfile.mkdtemp(prefix="facegate-bench-index-")
    cmd = [args.facegate, "bench", "index", "--json", "--export", tmp] + rest
    print("$", " ".join(cmd), flush=True)
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout
    lines = out.strip().splitlines()
    print("\n".join(lines[:-1]))
    report = json.loads(lines[-1])
    rows = report["results"]
    get = lambda flag, default: int(rest[rest.index(flag) + 1]) if flag in rest else default
    batch, singles, batches = get("--batch", 64), get("--queries", 200), get("--batches", 4)
    print()
    print("ratios are ours / FAISS (below 1: we are faster); p10 is the least contended figure")
    print(f"{'config':30} {'faiss p50':>10} {'faiss p10':>10} {'batch p50':>10} | {'method':12} {'p50 ratio':>10} {'p10 ratio':>10} {'batch ratio':>11} {'rank1%':>7} {'agree%':>7} {'mem/raw':>8}")
    summary = []
    seen = {}
    for r in rows:
        cfg = r["config"]
        if cfg not in seen and "gallery_file" in r:
            g = np.fromfile(r["gallery_file"], dtype=np.float32)
            q = np.fromfile(r["queries_file"], dtype=np.float32)
            d = g.size // r["faces"]
            seen[cfg] = faiss_times(g.reshape(-1, d), q.reshape(-1, d), batch, singles, batches)
        f = seen.get(cfg)
        if f is None:
            continue
        ratio = r["p50_ms"] / f["p50_ms"] if f["p50_ms"] else float("nan")
        ratio10 = r.get("p10_ms", 0) / f["p10_ms"] if f["p10_ms"] else float("nan")
        bratio = r["batch_p50_ms_per_query"] / f["batch_p50_ms_per_query"] if f["batch_p50_ms_per_query"] else float("nan")
        print(f"{cfg:30} {f['p50_ms']:10.3f} {f['p10_ms']:10.3f} {f['batch_p50_ms_per_query']:10.3f} | {r['method']:12} {ratio:10.3f} {ratio10:10.3f} {bratio:11.3f} "
              f"{100 * r['rank1']:7.2f} {100 * r['agree_exact']:7.2f} {r['memory_bytes'] / r['raw_bytes']:8.3f}")
        summary.append({"config": cfg, "method": r["method"], "faiss": f, "ours": r,
                        "p50_ratio_vs_faiss": ratio, "p10_ratio_vs_faiss": ratio10, "batch_ratio_vs_faiss": bratio})
    if not args.keep:
        for name in os.listdir(tmp):
            os.remove(os.path.join(tmp, name))
        os.rmdir(tmp)
    print(json.dumps({"bench": "index-vs-faiss", "results": summary}))


if __name__ == "__main__":
    sys.exit(main())
