#!/usr/bin/env python3
"""Exports dlib_face_recognition_resnet_model_v1.dat to ONNX, for onnxruntime reference timings.

Written from shared/reference/dlib-model-format.md (not from dlib's code). The ONNX graph takes
raw RGB pixels [N, 3, 150, 150] (0..255, planar) like FaceGate's dlib graph, and outputs the
128-d descriptor (not normalised). add_prev with unequal shapes becomes Pad(zeros) + Add.
Usage: .venv/bin/python scripts/dlib-to-onnx.py [.cache/models/dlib_face_recognition_resnet_model_v1.dat] [out.onnx]
"""
import struct
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


class Reader:
    def __init__(self, data):
        self.d, self.o = data, 0

    def int(self):
        c = self.d[self.o]
        n = c & 0x0F
        v = int.from_bytes(self.d[self.o + 1:self.o + 1 + n], "little")
        self.o += 1 + n
        return -v if c & 0x80 else v

    def float(self):
        m, e = self.int(), self.int()
        return float(np.ldexp(float(m), e))

    def bool(self):
        b = self.d[self.o]
        self.o += 1
        return b == 0x31

    def string(self):
        n = self.int()
        s = self.d[self.o:self.o + n].decode()
        self.o += n
        return s

    def peek_string(self, prefix):
        o = self.o
        try:
            n = self.int()
            return self.d[self.o:self.o + len(prefix)] == prefix.encode()
        finally:
            self.o = o

    def tensor(self):
        assert self.int() == 2
        shape = [self.int() for _ in range(4)]
        count = int(np.prod(shape))
        a = np.frombuffer(self.d, dtype="<f4", count=count, offset=self.o).copy()
        self.o += 4 * count
        return a

    def alias(self):
        assert self.int() == 1
        return [self.int() for _ in range(4)]


def read(path):
    r = Reader(open(path, "rb").read())
    assert r.int() == 1
    assert r.string() == "loss_metric_2"
    r.float(), r.float()
    wrappers = []
    while not r.peek_string("input"):
        wrappers.append(r.int())
    assert r.string() == "input_rgb_image_sized"
    means = [r.float() for _ in range(3)]
    size = (r.int(), r.int())
    layers = []
    for i, w in enumerate(reversed(wrappers)):
        if w == 1:
            layers.append(("marker",))
            continue
        kind = r.string()
        if kind == "con_4":
            p = r.tensor()
            nf, nr, nc, sy, sx, py, px = [r.int() for _ in range(7)]
            fa, ba = r.alias(), r.alias()
            [r.float() for _ in range(4)]
            nw = int(np.prod(fa))
            layers.append(("con", p[:nw].reshape(fa), p[nw:nw + nf], (sy, sx), (py, px)))
        elif kind == "affine_":
            p = r.tensor()
            g, b = r.alias(), r.alias()
            r.int()
            k = int(np.prod(g))
            layers.append(("affine", p[:k], p[k:2 * k]))
        elif kind == "relu_":
            layers.append(("relu",))
        elif kind in ("max_pool_2", "avg_pool_2"):
            v = [r.int() for _ in range(6)]
            layers.append((kind[:3], v))
        elif kind == "add_prev_":
            layers.append(("add_prev",))
        elif kind == "fc_2":
            no, ni = r.int(), r.int()
            p = r.tensor()
            r.alias(), r.alias()
            r.int()
            [r.float() for _ in range(4)]
            layers.append(("fc", p[:ni * no].reshape(ni, no)))
        else:
            raise ValueError(kind)
        [r.bool() for _ in range(3)]
        [r.tensor() for _ in range(3)]
        if w == 3:
            r.int()
    assert r.o == len(r.d)
    return means, size, layers


def build(means, size, layers):
    nodes, inits = [], []
    counter = [0]

    def name(prefix):
        counter[0] += 1
        return f"{prefix}_{counter[0]}"

    def const(arr, prefix):
        n = name(prefix)
        inits.append(numpy_helper.from_array(np.asarray(arr, dtype=np.float32), n))
        return n

    def op(kind, inputs, **attrs):
        out = name(kind.lower())
        nodes.append(helper.make_node(kind, inputs, [out], **attrs))
        return out

    x = op("Sub", ["input", const(np.array(means).reshape(1, 3, 1, 1), "mean")])
    x = op("Mul", [x, const(np.full((1, 3, 1, 1), 1 / 256), "scale")])
    shape = (3, size[0], size[1])
    tags, last_marker_was_skip, i = {}, False, 0
    while i < len(layers):
        L = layers[i]
        if L[0] == "marker":
            if i + 1 < len(layers) and layers[i + 1][0] == "marker":
                tags[2] = (x, shape)
                x, shape = tags[1]
                last_marker_was_skip = True
                i += 2
                continue
            tags[1] = (x, shape)
            last_marker_was_skip = False
        elif L[0] == "con":
            w, b, (sy, sx), (py, px) = L[1:]
            x = op("Conv", [x, const(w, "w"), const(b, "b")], strides=[sy, sx], pads=[py, px, py, px],
                   kernel_shape=list(w.shape[2:]))
            shape = (w.shape[0], (shape[1] + 2 * py - w.shape[2]) // sy + 1, (shape[2] + 2 * px - w.shape[3]) // sx + 1)
        elif L[0] == "affine":
            k = len(L[1])
            x = op("Add", [op("Mul", [x, const(L[1].reshape(1, k, 1, 1), "g")]), const(L[2].reshape(1, k, 1, 1), "beta")])
        elif L[0] == "relu":
            x = op("Relu", [x])
        elif L[0] in ("max", "avg"):
            nr, nc, sy, sx, py, px = L[1]
            if nr == 0:
                x = op("GlobalAveragePool", [x])
                shape = (shape[0], 1, 1)
            else:
                x = op("MaxPool" if L[0] == "max" else "AveragePool", [x], kernel_shape=[nr, nc], strides=[sy, sx],
                       pads=[py, px, py, px])
                shape = (shape[0], (shape[1] + 2 * py - nr) // sy + 1, (shape[2] + 2 * px - nc) // sx + 1)
        elif L[0] == "add_prev":
            y, ys = tags[2 if last_marker_was_skip else 1]
            out = tuple(max(a, b) for a, b in zip(shape, ys))

            def pad(v, s):
                if s == out:
                    return v
                pads = np.array([0, 0, 0, 0, 0, out[0] - s[0], out[1] - s[1], out[2] - s[2]], dtype=np.int64)
                pn = name("pads")
                inits.append(numpy_helper.from_array(pads, pn))
                return op("Pad", [v, pn])

            x = op("Add", [pad(x, shape), pad(y, ys)])
            shape = out
        elif L[0] == "fc":
            x = op("Flatten", [x], axis=1)
            x = op("MatMul", [x, const(L[1], "fc")])
        i += 1
    nodes[-1].output[0] = "descriptor"
    graph = helper.make_graph(nodes, "dlib_resnet_v1",
                              [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3, size[0], size[1]])],
                              [helper.make_tensor_value_info("descriptor", TensorProto.FLOAT, ["N", 128])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model)
    return model


if __name__ == "__main__":
    src = sys.argv[1] if len(sys.argv) > 1 else ".cache/models/dlib_face_recognition_resnet_model_v1.dat"
    dst = sys.argv[2] if len(sys.argv) > 2 else ".cache/models/dlib_resnet_v1.onnx"
    onnx.save(build(*read(src)), dst)
    print("wrote", dst)
