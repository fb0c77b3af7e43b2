#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a graph with naive, obviously-correct loops in NCHW: the oracle for the fast kernels.
///
/// Slow by design (no blocking, no SIMD); use it in tests, never in the server.
public struct ReferenceExecutor: Sendable {
    /// The graph it runs (optimised or not: fused epilogues are honoured).
    public let graph: Graph

    /// Wraps a graph.
    public init(graph: Graph) { self.graph = graph }

    /// Computes the graph output for a batch.
    /// - Throws: `.invalidInput` when `input.shape` differs from the graph's input shape.
    public func run(_ input: Tensor) throws -> Tensor {
        guard input.shape == graph.inputShape else {
            throw EngineError(.invalidInput, "input shape \(input.shape) differs from the model's \(graph.inputShape)")
        }
        var values = [Tensor?](repeating: nil, count: graph.values.count)
        values[graph.input.index] = input
        for node in graph.nodes {
            let ins = node.inputs.map { values[$0.index]! }
            values[node.output.index] = Self.evaluate(node.operation, ins, graph.shape(of: node.output))
        }
        return values[graph.output.index]!
    }

    // swiftlint:disable:next cyclomatic_complexity function_body_length
    static func evaluate(_ op: Operation, _ ins: [Tensor], _ outShape: TensorShape) -> Tensor {
        let x = ins[0]
        let n = x.batch
        let s = x.shape
        var y = Tensor(zeros: n, shape: outShape)
        let hw = s.area
        switch op {
        case .normalize(let mean, let scale):
            for i in 0..<n * s.channels {
                let c = i % s.channels
                for p in 0..<hw { y.data[i * hw + p] = (x.data[i * hw + p] - mean[c]) * scale[c] }
            }
        case .affine(let scale, let bias):
            for i in 0..<n * s.channels {
                let c = i % s.channels
                for p in 0..<hw { y.data[i * hw + p] = x.data[i * hw + p] * scale[c] + bias[c] }
            }
        case .activation(let a):
            for i in 0..<n * s.channels {
                let c = i % s.channels
                for p in 0..<hw { y.data[i * hw + p] = a.apply(x.data[i * hw + p], channel: c) }
            }
        case .convolution(let conv):
            convolution(conv, x, ins.count > 1 ? ins[1] : nil, &y)
        case .maxPool(let p), .averagePool(let p):
            var isMax = false
            if case .maxPool = op { isMax = true }
            pool(p, isMax: isMax, x, &y)
        case .globalAveragePool:
            for i in 0..<n * s.channels {
                var sum: Float = 0
                for p in 0..<hw { sum += x.data[i * hw + p] }
                y.data[i] = sum / Float(hw)
            }
        case .add, .multiply:
            let b = ins[1]
            let isAdd = op == .add
            for i in 0..<n * s.channels {
                for p in 0..<hw {
                    let bv = b.shape.area == 1 ? b.data[i] : b.data[i * hw + p]
                    y.data[i * hw + p] = isAdd ? x.data[i * hw + p] + bv : x.data[i * hw + p] * bv
                }
            }
        case .paddedAdd:
            for t in ins {
                let ts = t.shape
                for b in 0..<n {
                    for c in 0..<ts.channels {
                        for r in 0..<ts.height {
                            for col in 0..<ts.width {
                                let o = ((b * outShape.channels + c) * outShape.height + r) * outShape.width + col
                                y.data[o] += t.data[((b * ts.channels + c) * ts.height + r) * ts.width + col]
                            }
                        }
                    }
                }
            }
        case .flatten:
            y.data = x.data
        case .flattenChannelsLast:
            for b in 0..<n {
                for c in 0..<s.channels {
                    for p in 0..<s.area { y.data[b * s.count + p * s.channels + c] = x.data[b * s.count + c * s.area + p] }
                }
            }
        case .fullyConnected(let fc):
            for b in 0..<n {
                for o in 0..<fc.outFeatures {
                    var acc = fc.bias[o]
                    for i in 0..<fc.inFeatures { acc += fc.weights[o * fc.inFeatures + i] * x.data[b * fc.inFeatures + i] }
                    y.data[b * fc.outFeatures + o] = fc.activation.apply(acc, channel: o)
                }
            }
        case .concat:
            for b in 0..<n {
                var offset = 0
                for t in ins {
                    let cnt = t.shape.count
                    for i in 0..<cnt { y.data[b * outShape.count + offset + i] = t.data[b * cnt + i] }
                    offset += cnt
                }
            }
        case .l2Normalize:
            let cnt = s.count
            for b in 0..<n {
                var ss: Float = 0
                for i in 0..<cnt { ss += x.data[b * cnt + i] * x.data[b * cnt + i] }
                let inv = 1 / (ss.squareRoot() + 1e-12)
                for i in 0..<cnt { y.data[b * cnt + i] = x.data[b * cnt + i] * inv }
            }
        }
        return y
    }

    private static func convolution(_ c: Convolution, _ x: Tensor, _ residual: Tensor?, _ y: inout Tensor) {
        let s = x.shape, o = y.shape
        let perGroupIn = c.inChannels / c.groups, perGroupOut = c.outChannels / c.groups
        for b in 0..<x.batch {
            for oc in 0..<c.outChannels {
                let g = oc / perGroupOut
                for oy in 0..<o.height {
                    for ox in 0..<o.width {
                        var acc = c.bias[oc]
                        for ic in 0..<perGroupIn {
                            let inC = g * perGroupIn + ic
                            for ky in 0..<c.kernelHeight {
                                let iy = oy * c.strideY - c.padding.top + ky
                                if iy < 0 || iy >= s.height { continue }
                                for kx in 0..<c.kernelWidth {
                                    let ix = ox * c.strideX - c.padding.left + kx
                                    if ix < 0 || ix >= s.width { continue }
                                    let w = c.weights[((oc * perGroupIn + ic) * c.kernelHeight + ky) * c.kernelWidth + kx]
                                    acc += w * x.data[((b * s.channels + inC) * s.height + iy) * s.width + ix]
                                }
                            }
                        }
                        let idx = ((b * o.channels + oc) * o.height + oy) * o.width + ox
                        if let r = residual { acc += r.data[idx] }
                        y.data[idx] = c.activation.apply(acc, channel: oc)
                    }
                }
            }
        }
    }

    private static func pool(_ p: Pooling, isMax: Bool, _ x: Tensor, _ y: inout Tensor) {
        let s = x.shape, o = y.shape
        for i in 0..<x.batch * s.channels {
            for oy in 0..<o.height {
                for ox in 0..<o.width {
                    var best = -Float.infinity, sum: Float = 0, count = 0, padded = 0
                    for ky in 0..<p.kernelHeight {
                        let iy = oy * p.strideY - p.padding.top + ky
                        for kx in 0..<p.kernelWidth {
                            let ix = ox * p.strideX - p.padding.left + kx
                            if iy >= -p.padding.top && iy < s.height + p.padding.bottom
                                && ix >= -p.padding.left && ix < s.width + p.padding.right { padded += 1 }
                            if iy < 0 || iy >= s.height || ix < 0 || ix >= s.width { continue }
                            let v = x.data[(i * s.height + iy) * s.width + ix]
                            best = max(best, v)
                            sum += v
                            count += 1
                        }
                    }
                    let divisor = p.countIncludesPadding ? padded : count
                    y.data[(i * o.height + oy) * o.width + ox] = isMax ? best : (count == 0 ? 0 : sum / Float(divisor))
                }
            }
        }
    }
}
