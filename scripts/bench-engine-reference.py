#!/usr/bin/env python3
"""Times FaceGate's engine against onnxruntime and OpenVINO on the same ONNX file, same run.

Usage:
  scripts/bench-engine-reference.py --model FILE|dlib [--cache DIR] [--batch 1] [--threads 1] [--runs 50] [--rounds 3]
      [--facegate .build/release/facegate] [--gemm packed] [--json]

Rounds alternate the engines (facegate bench engine as a subprocess, onnxruntime, OpenVINO) so
that the machine's background load hits them alike; each round reports a median of `--runs`
timed passes after warm-up, and the summary is the median over rounds plus ratios
(ours / reference: < 1 means FaceGate is faster). A model exported with batch 1 (fixed input
batch, constant Reshape to [1, D]) is given a free batch dimension for the references.
OpenVINO is optional (pip install openvino); it is reported as missing when not installed.

dlib: `--model dlib` (the cached dlib_face_recognition_resnet_model_v1.dat, --cache or
$FACEGATE_CACHE or ~/.cache/facegate) or `--model X.dat`. FaceGate runs the .dat through its own
dlib reader; the references run the same network exported to ONNX by scripts/dlib-to-onnx.py
(from the same file, add_prev with unequal shapes as Pad + Add); the export is checked against
FaceGate's committed dlib reference descriptor before timing.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper


def free_batch(path):
    """Returns model bytes whose input/output batch is symbolic and whose Reshape targets copy it."""
    m = onnx.load(path)
    for vi in list(m.graph.input) + list(m.graph.output):
        dims = vi.type.tensor_type.shape.dim
        if dims:
            dims[0].ClearField("dim_value")
            dims[0].dim_param = "N"
    shape_names = {n.input[1] for n in m.graph.node if n.op_type == "Reshape" and len(n.input) > 1}
    for t in m.graph.initializer:
        if t.name in shape_names:
            a = numpy_helper.to_array(t).copy()
            if a.size and a[0] == 1:
                a[0] = 0
                t.CopyFrom(numpy_helper.from_array(a, t.name))
    for n in m.graph.node:
        if n.op_type == "Constant" and n.output[0] in shape_names:
            for attr in n.attribute:
                if attr.name == "value":
                    a = numpy_helper.to_array(attr.t).copy()
                    if a.size and a[0] == 1:
                        a[0] = 0
                        attr.t.CopyFrom(numpy_helper.from_array(a))
    return m.SerializeToString(), [d.dim_value for d in m.graph.input[0].type.tensor_type.shape.dim][1:]


def time_passes(fn, runs, warmup=5):
    """(median wall ms, min wall ms, median process-CPU ms) per pass."""
    for _ in range(warmup):
        fn()
    ts, cpu = [], []
    for _ in range(runs):
        c0, t0 = time.process_time(), time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return statistics.median(ts), min(ts), statistics.median(cpu)


def onnxruntime_round(model_bytes, x, threads, runs):
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    s = ort.InferenceSession(model_bytes, so, providers=["CPUExecutionProvider"])
    name = s.get_inputs()[0].name
    return time_passes(lambda: s.run(None, {name: x}), runs)


def openvino_round(model_path, x, threads, runs, precision):
    import openvino as ov
    core = ov.Core()
    model = core.read_model(model_path)
    model.reshape({model.inputs[0].any_name: list(x.shape)})
    config = {"INFERENCE_NUM_THREADS": threads, "NUM_STREAMS": 1, "PERFORMANCE_HINT": "LATENCY"}
    if precision:
        config["INFERENCE_PRECISION_HINT"] = precision
    compiled = core.compile_model(model, "CPU", config)
    req = compiled.create_infer_request()
    return time_passes(lambda: req.infer({0: x}), runs)


def facegate_round(binary, model, batch, threads, runs, gemm, isa=None):
    extra = ["--isa", isa] if isa else []
    out = subprocess.run([binary, "bench", "engine", "--model", model, "--batch", str(batch), "--threads",
                          str(threads), "--runs", str(runs), "--gemm", gemm, "--json"] + extra,
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


ROOT = Path(__file__).resolve().parent.parent


def dlib_reference_onnx(model, cache):
    """(the .dat path FaceGate reads, an ONNX export of the same network) for --model dlib / X.dat."""
    if model == "dlib":
        base = Path(cache or os.environ.get("FACEGATE_CACHE") or Path.home() / ".cache/facegate")
        dat = base / "dlib_face_recognition_resnet_model_v1.dat"
    else:
        dat = Path(model)
    if not dat.exists():
        sys.exit(f"{dat} not found: run `facegate model fetch` (or pass --cache)")
    out = Path(tempfile.mkdtemp()) / "dlib.onnx"
    subprocess.run([sys.executable, str(ROOT / "scripts/dlib-to-onnx.py"), str(dat), str(out)], check=True,
                   capture_output=True)
    refs = ROOT / "Tests/Fixtures/dlib/references.json"
    if model == "dlib" and refs.exists():
        import onnxruntime as ort
        ref = np.array(json.load(open(refs))["noise_chips"][0]["descriptor"], np.float32)
        xs, v = np.empty(150 * 150 * 3, np.float32), 1
        for i in range(xs.size):  # the LCG noise chip of the committed reference
            v = (v * 1103515245 + 12345) % (1 << 31)
            xs[i] = (v >> 16) & 255
        chip = xs.reshape(150, 150, 3).transpose(2, 0, 1)[None].copy()
        got = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"]).run(None, {"input": chip})[0][0]
        print(f"dlib export check: onnxruntime vs dlib's own descriptor max abs {np.abs(got - ref).max():.2e}")
    return str(dat), str(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--gemm", default="packed")
    ap.add_argument("--facegate", default=str(Path(__file__).resolve().parent.parent / ".build/release/facegate"))
    ap.add_argument("--isa", default=None, help="FaceGate SIMD level (avx512, avx2): default the best")
    ap.add_argument("--cache", default=None, help="model cache for --model dlib")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()

    onnx_model = a.model
    if a.model == "dlib" or a.model.endswith(".dat"):
        a.model, onnx_model = dlib_reference_onnx(a.model, a.cache)
    model_bytes, chw = free_batch(onnx_model)
    tmp = Path(tempfile.mkdtemp()) / "model.onnx"
    tmp.write_bytes(model_bytes)
    x = np.random.default_rng(0).normal(0, 1, (a.batch, *chw)).astype(np.float32)
    try:
        import openvino  # noqa: F401
        have_ov = True
    except ImportError:
        have_ov = False

    # "openvino" runs float32 like the others; "openvino-bf16" is OpenVINO's default on CPUs with
    # AVX512_BF16 (bfloat16 arithmetic: not the same accuracy), reported for information only.
    res = {"facegate": [], "onnxruntime": [], "openvino": [], "openvino-bf16": []}
    mins = {k: [] for k in res}
    cpus = {k: [] for k in res}
    peak = None
    for r in range(a.rounds):
        fg = facegate_round(a.facegate, a.model, a.batch, a.threads, a.runs, a.gemm, a.isa)
        res["facegate"].append(fg["ms_per_batch_median"])
        mins["facegate"].append(fg["ms_per_batch_min"])
        cpus["facegate"].append(fg["cpu_ms_per_batch_median"])
        peak = fg["peak_rss_mb"]
        for k, fn in [("onnxruntime", lambda: onnxruntime_round(model_bytes, x, a.threads, a.runs)),
                      ("openvino", lambda: openvino_round(str(tmp), x, a.threads, a.runs, "f32")),
                      ("openvino-bf16", lambda: openvino_round(str(tmp), x, a.threads, a.runs, None))]:
            if k.startswith("openvino") and not have_ov:
                continue
            m, lo, c = fn()
            res[k].append(m)
            mins[k].append(lo)
            cpus[k].append(c)
        line = "  ".join(f"{k} {v[-1]:.3f} (min {mins[k][-1]:.3f})" for k, v in res.items() if v)
        print(f"round {r + 1}: ms/batch  {line}", flush=True)

    med = {k: statistics.median(v) for k, v in res.items() if v}
    low = {k: min(v) for k, v in mins.items() if v}
    cpu = {k: statistics.median(v) for k, v in cpus.items() if v}
    print(f"model {a.model}  batch {a.batch}  threads {a.threads}  (median of {a.rounds} rounds x {a.runs} runs; "
          f"min = fastest single pass; CPU = process CPU time per pass: both less load-sensitive)")
    for k, v in med.items():
        print(f"  {k:13s} median {v / a.batch:7.3f} ms/face   min {low[k] / a.batch:7.3f} ms/face"
              f"   CPU {cpu[k] / a.batch:7.3f} ms/face")
    if not have_ov:
        print("  openvino     not installed (pip install openvino)")
    ratios = {f"vs_{k}": med["facegate"] / v for k, v in med.items() if k != "facegate"}
    min_ratios = {f"vs_{k}": low["facegate"] / v for k, v in low.items() if k != "facegate"}
    cpu_ratios = {f"vs_{k}": cpu["facegate"] / v for k, v in cpu.items() if k != "facegate"}
    for k, v in ratios.items():
        print(f"  facegate / {k[3:]:13s} median {v:6.3f}   min {min_ratios[k]:6.3f}   CPU {cpu_ratios[k]:6.3f}")
    fp32 = [k for k in med if k not in ("facegate", "openvino-bf16")]
    best = min(med[k] for k in fp32)
    best_low = min(low[k] for k in fp32)
    print(f"  facegate / fastest float32 reference: median {med['facegate'] / best:6.3f}   min {low['facegate'] / best_low:6.3f}"
          f"   facegate peak RSS {peak} MB")
    if a.json:
        print(json.dumps({"bench": "engine-reference", "model": a.model, "batch": a.batch, "threads": a.threads,
                          "ms_per_face_median": {k: v / a.batch for k, v in med.items()},
                          "ms_per_face_min": {k: v / a.batch for k, v in low.items()},
                          "cpu_ms_per_face": {k: v / a.batch for k, v in cpu.items()},
                          "ratios_median": ratios, "ratios_min": min_ratios, "ratios_cpu": cpu_ratios,
                          "ratio_vs_fastest_median": med["facegate"] / best,
                          "ratio_vs_fastest_min": low["facegate"] / best_low, "peak_rss_mb": peak}))


if __name__ == "__main__":
    sys.exit(main())
