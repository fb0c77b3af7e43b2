#!/usr/bin/env python3
"""Generates random-weight ONNX face-model graphs and onnxruntime reference outputs.

Usage: make_onnx_fixtures.py OUTDIR [--only NAME ...] [--real MODEL.onnx]

Writes OUTDIR/NAME.onnx, NAME.in{B}.f32 (NCHW float32), NAME.out{B}.f32 (onnxruntime output,
float32) for B in 1 and 8, and OUTDIR/manifest.json. Fixed seeds: the same files every run.
Graphs: MobileNetV2 (width 1.0) at 112x112 and 224x224 with a 512-d head, a MobileFaceNet-style
net (PReLU, global depthwise conv), a small ResNet, and an "ops" graph exercising the remaining
operators (asymmetric pads, float16 and float_data weights, squeeze-excite Mul, Concat, ...).
Models exported "batch 1" (a constant Reshape to [1, D]) are run by onnxruntime one face at a time.
"""
import json
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


class Net:
    def __init__(self, name, seed, c, h, w, batch1=False):
        self.name, self.rng = name, np.random.default_rng(seed)
        self.nodes, self.inits, self.n = [], [], 0
        self.batch1 = batch1
        self.shape = (c, h, w)
        self.input = helper.make_tensor_value_info("input", TensorProto.FLOAT, [1 if batch1 else "N", c, h, w])

    def uid(self, p):
        self.n += 1
        return f"{p}_{self.n}"

    def const(self, arr, name=None, fmt="raw"):
        name = name or self.uid("w")
        arr = np.asarray(arr)
        if fmt == "fp16":
            t = numpy_helper.from_array(arr.astype(np.float16), name)
        elif fmt == "float_data":
            t = helper.make_tensor(name, TensorProto.FLOAT, arr.shape, arr.astype(np.float32).ravel().tolist())
        else:
            t = numpy_helper.from_array(arr.astype(np.float32) if arr.dtype.kind == "f" else arr, name)
        self.inits.append(t)
        return name

    def op(self, op_type, inputs, **attrs):
        out = self.uid(op_type.lower())
        self.nodes.append(helper.make_node(op_type, inputs, [out], name=out, **attrs))
        return out

    def conv(self, x, cin, cout, k, s=1, p=None, g=1, bias=False, fmt="raw"):
        p = k // 2 if p is None else p
        pads = list(p) if isinstance(p, (list, tuple)) else [p, p, p, p]
        fan = cin // g * k * k
        w = self.rng.normal(0, np.sqrt(2.0 / fan), (cout, cin // g, k, k))
        wname = self.const(w, fmt=fmt)
        if fmt == "fp16":  # float16 storage, cast to float as real fp16 exports do
            wname = self.op("Cast", [wname], to=TensorProto.FLOAT)
        ins = [x, wname]
        if bias:
            ins.append(self.const(self.rng.normal(0, 0.1, cout)))
        return self.op("Conv", ins, kernel_shape=[k, k], strides=[s, s], pads=pads, group=g, dilations=[1, 1])

    def bn(self, x, c):
        r = self.rng
        ins = [x, self.const(r.uniform(0.5, 1.5, c)), self.const(r.normal(0, 0.1, c)),
               self.const(r.normal(0, 0.1, c)), self.const(r.uniform(0.5, 1.5, c))]
        return self.op("BatchNormalization", ins, epsilon=1e-5)

    def relu6(self, x):
        return self.op("Clip", [x, self.const(np.array(0.0, np.float32)), self.const(np.array(6.0, np.float32))])

    def prelu(self, x, c):
        return self.op("PRelu", [x, self.const(self.rng.uniform(0.05, 0.3, (c, 1, 1)))])

    def head(self, x, c, d):
        """Global pool -> (batch-1 Reshape or Flatten) -> Gemm d."""
        x = self.op("GlobalAveragePool", [x])
        if self.batch1:
            x = self.op("Reshape", [x, self.const(np.array([1, c], np.int64))])
        else:
            x = self.op("Flatten", [x], axis=1)
        w = self.rng.normal(0, np.sqrt(1.0 / c), (d, c))
        return self.op("Gemm", [x, self.const(w), self.const(self.rng.normal(0, 0.1, d))], transB=1)

    def model(self, out, out_dim):
        o = helper.make_tensor_value_info(out, TensorProto.FLOAT, [1 if self.batch1 else "N", out_dim])
        g = helper.make_graph(self.nodes, self.name, [self.input], [o], self.inits)
        m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)], producer_name="facegate-fixtures")
        onnx.checker.check_model(m)
        return m


def mobilenetv2(name, size, seed, batch1):
    n = Net(name, seed, 3, size, size, batch1)
    x = n.relu6(n.bn(n.conv("input", 3, 32, 3, 2), 32))
    cin = 32
    for t, c, reps, s in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]:
        for i in range(reps):
            stride = s if i == 0 else 1
            hid = cin * t
            y = x
            if t != 1:
                y = n.relu6(n.bn(n.conv(y, cin, hid, 1, p=0), hid))
            y = n.relu6(n.bn(n.conv(y, hid, hid, 3, stride, g=hid), hid))
            y = n.bn(n.conv(y, hid, c, 1, p=0), c)
            x = n.op("Add", [x, y]) if stride == 1 and cin == c else y
            cin = c
    x = n.relu6(n.bn(n.conv(x, 320, 1280, 1, p=0), 1280))
    return n.model(n.head(x, 1280, 512), 512)


def mobilefacenet(name, seed, batch1, act="prelu"):
    n = Net(name, seed, 3, 112, 112, batch1)
    a = (lambda x, c: n.prelu(x, c)) if act == "prelu" else (lambda x, c: n.op("Relu", [x]))
    x = a(n.bn(n.conv("input", 3, 64, 3, 2), 64), 64)
    x = a(n.bn(n.conv(x, 64, 64, 3, 1, g=64), 64), 64)
    cin = 64
    for t, c, reps, s in [(2, 64, 5, 2), (4, 128, 1, 2), (2, 128, 6, 1), (4, 128, 1, 2), (2, 128, 2, 1)]:
        for i in range(reps):
            stride = s if i == 0 else 1
            hid = cin * t
            y = a(n.bn(n.conv(x, cin, hid, 1, p=0), hid), hid)
            y = a(n.bn(n.conv(y, hid, hid, 3, stride, g=hid), hid), hid)
            y = n.bn(n.conv(y, hid, c, 1, p=0), c)
            x = n.op("Add", [x, y]) if stride == 1 and cin == c else y
            cin = c
    x = a(n.bn(n.conv(x, 128, 512, 1, p=0), 512), 512)
    x = n.bn(n.conv(x, 512, 512, 7, 1, p=0, g=512), 512)  # global depthwise conv
    x = n.bn(n.conv(x, 512, 128, 1, p=0), 128)
    if batch1:
        x = n.op("Reshape", [x, n.const(np.array([1, 128], np.int64))])
    else:
        x = n.op("Flatten", [x], axis=1)
    return n.model(x, 128)


def resnet(name, seed):
    n = Net(name, seed, 3, 112, 112)
    x = n.op("Relu", [n.bn(n.conv("input", 3, 32, 7, 2), 32)])
    x = n.op("MaxPool", [x], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    cin = 32
    for c, s in [(32, 1), (64, 2), (64, 1), (128, 2), (128, 1)]:
        y = n.op("Relu", [n.bn(n.conv(x, cin, c, 3, s), c)])
        y = n.bn(n.conv(y, c, c, 3, 1), c)
        sc = x if (s == 1 and cin == c) else n.bn(n.conv(x, cin, c, 1, s, p=0), c)
        x = n.op("Relu", [n.op("Add", [y, sc])])
        cin = c
    return n.model(n.head(x, 128, 128), 128)


def ops(name, seed):
    """The remaining operators and weight encodings in one small graph."""
    n = Net(name, seed, 3, 37, 29)
    x = n.op("Sub", [ "input", n.const(np.array([0.5, 0.4, 0.3], np.float32).reshape(1, 3, 1, 1))])
    x = n.op("Div", [x, n.const(np.array(0.25, np.float32))])
    x = n.conv(x, 3, 24, 5, 2, p=(1, 2, 2, 1), bias=True, fmt="fp16")       # asymmetric pads, fp16
    x = n.op("LeakyRelu", [x], alpha=0.1)
    y = n.conv(x, 24, 24, 3, 1, g=3, bias=True, fmt="float_data")          # grouped conv, float_data
    y = n.op("Relu", [y])
    se = n.op("GlobalAveragePool", [y])
    se = n.op("Sigmoid", [n.conv(se, 24, 24, 1, p=0, bias=True)])
    y = n.op("Mul", [y, se])                                               # squeeze-excite
    z = n.op("AveragePool", [x], kernel_shape=[3, 3], strides=[1, 1], pads=[1, 1, 1, 1], count_include_pad=0)
    x = n.op("Concat", [y, z], axis=1)
    x = n.op("AveragePool", [x], kernel_shape=[2, 2], strides=[2, 2], ceil_mode=1)
    x = n.op("Mul", [x, n.const(np.linspace(0.5, 1.5, 48).astype(np.float32).reshape(48, 1, 1))])
    x = n.op("Add", [x, n.const(np.linspace(-0.2, 0.2, 48).astype(np.float32).reshape(1, 48, 1, 1))])
    x = n.op("MaxPool", [x], kernel_shape=[3, 3], strides=[2, 2])
    x = n.op("Identity", [x])
    x = n.op("Flatten", [x], axis=1)                                       # CHW flatten of a map
    fin = 48 * 4 * 3
    x = n.op("MatMul", [x, n.const(n.rng.normal(0, 0.1, (fin, 64)))])
    x = n.op("Add", [x, n.const(n.rng.normal(0, 0.1, 64))])
    return n.model(x, 64)


def transpose(name, seed):
    """Transpose where face models use it: TF/Keras-style channels-last flatten of a map (HWC
    order before the embedding layer), a vector transpose and a transposed constant weight."""
    n = Net(name, seed, 3, 23, 19)
    x = n.op("Relu", [n.bn(n.conv("input", 3, 16, 3, 2), 16)])
    v = n.op("GlobalAveragePool", [x])
    v = n.op("Transpose", [v], perm=[0, 2, 3, 1])                            # [N,1,1,C]: same memory
    v = n.op("Flatten", [v], axis=1)
    wt = n.op("Transpose", [n.const(n.rng.normal(0, 0.3, (8, 16)))], perm=[1, 0])  # constant [16, 8]
    v = n.op("MatMul", [v, wt])
    x = n.conv(x, 16, 12, 3, 2, bias=True)
    x = n.op("Transpose", [x], perm=[0, 2, 3, 1])                            # NCHW -> NHWC
    x = n.op("Reshape", [x, n.const(np.array([0, -1], np.int64))])           # HWC-order flatten
    x = n.op("MatMul", [x, n.const(n.rng.normal(0, 0.05, (12 * 6 * 5, 24)))])
    x = n.op("Concat", [x, v], axis=1)
    return n.model(x, 32)


def transpose_nhwc(name, seed):
    """A TensorFlow/Keras-style export: NHWC graph input, Transpose to NCHW, a small net, and a
    channels-last flatten before the embedding layer. FaceGate takes the same images as NCHW."""
    n = Net(name, seed, 21, 17, 3)  # declared [N, 21, 17, 3] = N, H, W, C
    n.input = helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 21, 17, 3])
    x = n.op("Transpose", ["input"], perm=[0, 3, 1, 2])
    x = n.op("Relu", [n.bn(n.conv(x, 3, 8, 3, 2), 8)])
    x = n.conv(x, 8, 6, 3, 2, bias=True)                                    # [N, 6, 6, 5]
    x = n.op("Transpose", [x], perm=[0, 2, 3, 1])
    x = n.op("Flatten", [x], axis=1)
    x = n.op("Gemm", [x, n.const(n.rng.normal(0, 0.1, (16, 6 * 6 * 5))), n.const(n.rng.normal(0, 0.1, 16))], transB=1)
    return n.model(x, 16)


def build(name):
    return {
        "mobilenetv2_112": lambda: mobilenetv2(name, 112, 1, batch1=True),
        "mobilenetv2_224": lambda: mobilenetv2(name, 224, 2, batch1=False),
        "mobilefacenet_prelu": lambda: mobilefacenet(name, 3, batch1=True),
        "mobilefacenet_relu": lambda: mobilefacenet(name, 4, batch1=False, act="relu"),
        "resnet_small": lambda: resnet(name, 5),
        "ops": lambda: ops(name, 6),
        "transpose": lambda: transpose(name, 8),
        "transpose_nhwc": lambda: transpose_nhwc(name, 10),
    }[name]()


NAMES = ["ops", "transpose", "transpose_nhwc", "resnet_small", "mobilefacenet_prelu", "mobilenetv2_112", "mobilenetv2_224", "mobilefacenet_relu"]


def reference(model_bytes, x, batch1):
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    s = ort.InferenceSession(model_bytes, so, providers=["CPUExecutionProvider"])
    name = s.get_inputs()[0].name
    if batch1:
        return np.concatenate([s.run(None, {name: x[i:i + 1]})[0] for i in range(len(x))])
    return s.run(None, {name: x})[0]


def main():
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    args = sys.argv[2:]
    only = [a for a in args if not a.startswith("--")] if "--only" in args else NAMES
    real = args[args.index("--real") + 1] if "--real" in args else None
    if real:
        only = [a for a in only if a != real]
    manifest = []
    jobs = [(n, build(n).SerializeToString()) for n in only if n in NAMES]
    if real:
        jobs.append(("real", Path(real).read_bytes()))
    for name, data in jobs:
        m = onnx.load_from_string(data)
        dims = [d.dim_value for d in m.graph.input[0].type.tensor_type.shape.dim]
        batch1 = dims[0] == 1
        (out / f"{name}.onnx").write_bytes(data)
        rng = np.random.default_rng(1234)
        # An NHWC export (first node: Transpose of the input to NCHW): FaceGate takes NCHW.
        first = m.graph.node[0] if m.graph.node else None
        nhwc = (first is not None and first.op_type == "Transpose" and first.input[0] == m.graph.input[0].name
                and [a.ints for a in first.attribute if a.name == "perm"] == [[0, 3, 1, 2]])
        entry = {"name": name, "input": [dims[3], dims[1], dims[2]] if nhwc else dims[1:], "batches": []}
        for b in (1, 8):
            x = rng.normal(0, 1, (b, *dims[1:])).astype(np.float32)
            y = reference(data, x, batch1).astype(np.float32)
            (x.transpose(0, 3, 1, 2).copy() if nhwc else x).tofile(out / f"{name}.in{b}.f32")
            y.tofile(out / f"{name}.out{b}.f32")
            entry["batches"].append(b)
            entry["output"] = int(y.size // b)
        manifest.append(entry)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1))
    # A model with an operator the engine does not implement (load must fail naming it).
    n = Net("bad_op", 7, 3, 16, 16)
    x = n.op("Relu", [n.conv("input", 3, 8, 3)])
    x = n.op("LRN", [x], size=3)
    (out / "bad_op.onnx").write_bytes(n.model(n.head(x, 8, 4), 4).SerializeToString())
    # A channels-last Transpose that is not flattened next (a conv reads it): rejected at load.
    n = Net("bad_transpose", 9, 3, 16, 16)
    x = n.op("Transpose", [n.conv("input", 3, 8, 3)], perm=[0, 2, 3, 1])
    x = n.op("Relu", [x])
    (out / "bad_transpose.onnx").write_bytes(n.model(n.op("Flatten", [x], axis=1), 2048).SerializeToString())


if __name__ == "__main__":
    main()
