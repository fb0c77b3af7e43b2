@testable import Embedding

/// Writes tiny dlib-format files (the encodings of shared/reference/dlib-model-format.md
/// section 1) for reader tests that must not depend on the real models.
enum SyntheticDlib {
    struct Writer {
        var bytes: [UInt8] = []

        mutating func int(_ value: Int) {
            let magnitude = UInt64(value.magnitude)
            var raw: [UInt8] = []
            var m = magnitude
            repeat { raw.append(UInt8(m & 0xFF)); m >>= 8 } while m != 0
            bytes.append(UInt8(raw.count) | (value < 0 ? 0x80 : 0))
            bytes.append(contentsOf: raw)
        }

        /// Float as mantissa * 2^exponent with a 24-bit mantissa.
        mutating func float(_ value: Float) {
            if value == 0 { int(0); int(0); return }
            let exponent = Int(value.exponent) - 23
            let mantissa = Int((Double(value) * pow2(-exponent)).rounded())
            int(mantissa)
            int(exponent)
        }

        mutating func string(_ s: String) {
            int(s.utf8.count)
            bytes.append(contentsOf: s.utf8)
        }

        mutating func bool(_ b: Bool) { bytes.append(b ? 0x31 : 0x30) }

        mutating func tensor(_ shape: [Int], _ data: [Float]) {
            int(2)
            for d in shape { int(d) }
            for v in data {
                let bits = v.bitPattern
                for i in 0..<4 { bytes.append(UInt8((bits >> UInt32(8 * i)) & 0xFF)) }
            }
        }

        mutating func alias(_ shape: [Int]) {
            int(1)
            for d in shape { int(d) }
        }

        mutating func floatMatrix(_ values: [Float]) {
            int(-values.count)
            int(-1)
            for v in values { float(v) }
        }

        private func pow2(_ e: Int) -> Double {
            var r = 1.0
            if e >= 0 { for _ in 0..<e { r *= 2 } } else { for _ in 0..<(-e) { r /= 2 } }
            return r
        }
    }

    /// A 5-landmark predictor: 2 cascades x 3 trees of depth 2, 6 features.
    static func shapePredictor() -> [UInt8] {
        var w = Writer()
        w.int(1)
        w.floatMatrix([0.2, 0.3, 0.4, 0.3, 0.6, 0.3, 0.8, 0.3, 0.5, 0.6])
        w.int(2)
        for c in 0..<2 {
            w.int(3)
            for t in 0..<3 {
                w.int(3)
                for s in 0..<3 { w.int((s + t) % 6); w.int((s + c + 1) % 6); w.float(Float(s) - 1.5) }
                w.int(4)
                for l in 0..<4 { w.floatMatrix((0..<10).map { Float(($0 + l + t) % 5) * 0.001 - 0.002 }) }
            }
        }
        w.int(2)
        for _ in 0..<2 { w.int(6); for j in 0..<6 { w.int(j % 5) } }
        w.int(2)
        for _ in 0..<2 { w.int(6); for j in 0..<6 { w.float(Float(j) * 0.01); w.float(-Float(j) * 0.02) } }
        return w.bytes
    }

    /// A small network in the face model's structure: input 16x16, con 4 3x3/2, affine, relu,
    /// a residual block with tag/add_prev, a down block with tag2/skip1/avg_pool/add_prev2,
    /// global average pool and fc 3.
    static func network() -> [UInt8] {
        var layers: [(version: Int, write: (inout Writer) -> Void)] = []
        func con(_ f: Int, _ c: Int, _ k: Int, _ s: Int) {
            layers.append((2, { w in
                let n = f * c * k * k
                w.string("con_4")
                w.tensor([n + f, 1, 1, 1], (0..<(n + f)).map { Float(($0 * 7) % 11) * 0.05 - 0.25 })
                w.int(f); w.int(k); w.int(k); w.int(s); w.int(s)
                let pad = s == 1 ? k / 2 : 0
                w.int(pad); w.int(pad)
                w.alias([f, c, k, k]); w.alias([1, f, 1, 1])
                for _ in 0..<4 { w.float(1) }
            }))
        }
        func affine(_ k: Int) {
            layers.append((2, { w in
                w.string("affine_")
                w.tensor([2 * k, 1, 1, 1], (0..<k).map { 1 + Float($0) * 0.1 } + (0..<k).map { Float($0) * 0.01 })
                w.alias([1, k, 1, 1]); w.alias([1, k, 1, 1]); w.int(0)
            }))
        }
        func relu() { layers.append((2, { w in w.string("relu_") })) }
        func marker() { layers.append((1, { _ in })) }
        func addPrev() { layers.append((2, { w in w.string("add_prev_") })) }
        func pool(_ name: String, _ k: Int, _ s: Int) {
            layers.append((2, { w in w.string(name); w.int(k); w.int(k); w.int(s); w.int(s); w.int(0); w.int(0) }))
        }
        con(4, 3, 3, 2); affine(4); relu()                       // 16 -> 7
        marker(); con(4, 4, 3, 1); affine(4); addPrev(); relu()  // tag1 ... add_prev1
        marker(); con(6, 4, 3, 2); affine(6); relu(); con(6, 6, 3, 1); affine(6)
        marker(); marker(); pool("avg_pool_2", 2, 2); addPrev(); relu()  // tag2, skip1, add_prev2
        pool("avg_pool_2", 0, 1)  // avg_pool_everything: 0x0 window, stride 1
        layers.append((2, { w in
            w.string("fc_2"); w.int(3); w.int(6)
            w.tensor([6, 3, 1, 1], (0..<18).map { Float($0 % 5) * 0.1 - 0.2 })
            w.alias([6, 3, 1, 1]); w.alias([1, 3, 1, 1]); w.int(1)
            for _ in 0..<4 { w.float(1) }
        }))
        var w = Writer()
        w.int(1); w.string("loss_metric_2"); w.float(0.04); w.float(0.6)
        let versions = layers.enumerated().map { $0.offset == 0 ? 3 : $0.element.version }
        for v in versions.reversed() { w.int(v) }
        w.string("input_rgb_image_sized"); w.float(122.782); w.float(117.001); w.float(104.298); w.int(16); w.int(16)
        for (i, layer) in layers.enumerated() {
            layer.write(&w)
            if layer.version == 2 || i == 0 {
                for _ in 0..<3 { w.bool(false) }
                for _ in 0..<3 { w.tensor([0, 0, 0, 0], []) }
                if i == 0 { w.int(1) }
            }
        }
        return w.bytes
    }
}
