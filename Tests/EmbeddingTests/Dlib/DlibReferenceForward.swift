@testable import Embedding

/// A naive forward pass over parsed dlib records (test oracle, independent of the engine's graph),
/// following the operator semantics of shared/reference/dlib-model-format.md section 2.5.
/// Plain loops over unsafe buffers so that it stays usable in debug builds (~seconds per chip).
struct DlibReferenceForward {
    struct Map {
        var c: Int, h: Int, w: Int
        var data: [Float]
    }

    let network: DlibNetwork

    /// Descriptor for one RGB chip of `input.rows x input.columns` (interleaved bytes).
    func descriptor(chip: [UInt8]) -> [Float] {
        let rows = network.input.rows, cols = network.input.columns
        var x = Map(c: 3, h: rows, w: cols, data: [Float](repeating: 0, count: 3 * rows * cols))
        for p in 0..<(rows * cols) {
            for ch in 0..<3 {
                x.data[ch * rows * cols + p] = (Float(chip[3 * p + ch]) - network.input.channelMeans[ch]) / 256
            }
        }
        var tags: [Int: Map] = [:]
        for layer in network.layers {
            switch layer {
            case .convolution(let c): x = conv(x, c)
            case .affine(let a):
                let hw = x.h * x.w
                for ch in 0..<x.c { for p in 0..<hw { x.data[ch * hw + p] = a.gamma[ch] * x.data[ch * hw + p] + a.beta[ch] } }
            case .relu:
                for i in 0..<x.data.count where x.data[i] < 0 { x.data[i] = 0 }
            case .maxPool(let p): x = pool(x, p, max: true)
            case .averagePool(let p): x = pool(x, p, max: false)
            case .fullyConnected(let f):
                var out = [Float](repeating: 0, count: f.outputs)
                for i in 0..<f.inputs { for o in 0..<f.outputs { out[o] += x.data[i] * f.weights[i * f.outputs + o] } }
                if let b = f.bias { for o in 0..<f.outputs { out[o] += b[o] } }
                x = Map(c: f.outputs, h: 1, w: 1, data: out)
            case .tag(let id): tags[id] = x
            case .skip(let id): x = tags[id]!
            case .addPrevious(let id):
                let y = tags[id]!
                let c = max(x.c, y.c), h = max(x.h, y.h), w = max(x.w, y.w)
                var out = Map(c: c, h: h, w: w, data: [Float](repeating: 0, count: c * h * w))
                for m in [x, y] {
                    for ch in 0..<m.c { for r in 0..<m.h { for q in 0..<m.w {
                        out.data[(ch * h + r) * w + q] += m.data[(ch * m.h + r) * m.w + q]
                    } } }
                }
                x = out
            }
        }
        return x.data
    }

    private func conv(_ x: Map, _ c: DlibConvolution) -> Map {
        let oh = 1 + (x.h + 2 * c.paddingY - c.rows) / c.strideY
        let ow = 1 + (x.w + 2 * c.paddingX - c.columns) / c.strideX
        var out = [Float](repeating: 0, count: c.filters * oh * ow)
        x.data.withUnsafeBufferPointer { input in
            c.weights.withUnsafeBufferPointer { weights in
                out.withUnsafeMutableBufferPointer { y in
                    for f in 0..<c.filters {
                        let yf = f * oh * ow
                        if let b = c.bias { for i in 0..<(oh * ow) { y[yf + i] = b[f] } }
                        for ch in 0..<x.c {
                            for ky in 0..<c.rows {
                                for kx in 0..<c.columns {
                                    let wv = weights[((f * x.c + ch) * c.rows + ky) * c.columns + kx]
                                    for oy in 0..<oh {
                                        let iy = oy * c.strideY - c.paddingY + ky
                                        if iy < 0 || iy >= x.h { continue }
                                        let rowBase = (ch * x.h + iy) * x.w
                                        let outBase = yf + oy * ow
                                        var ix = -c.paddingX + kx
                                        for ox in 0..<ow {
                                            if ix >= 0 && ix < x.w { y[outBase + ox] += wv * input[rowBase + ix] }
                                            ix += c.strideX
                                        }
                                    }
                                }
                            }
                        }
                        if c.fusedReLU { for i in 0..<(oh * ow) where y[yf + i] < 0 { y[yf + i] = 0 } }
                    }
                }
            }
        }
        return Map(c: c.filters, h: oh, w: ow, data: out)
    }

    private func pool(_ x: Map, _ p: DlibPooling, max isMax: Bool) -> Map {
        let kh = p.isGlobal ? x.h : p.rows, kw = p.isGlobal ? x.w : p.columns
        let oh = 1 + (x.h + 2 * p.paddingY - kh) / p.strideY
        let ow = 1 + (x.w + 2 * p.paddingX - kw) / p.strideX
        var out = [Float](repeating: 0, count: x.c * oh * ow)
        for ch in 0..<x.c {
            for oy in 0..<oh {
                for ox in 0..<ow {
                    let y0 = max(0, oy * p.strideY - p.paddingY), y1 = min(x.h, oy * p.strideY - p.paddingY + kh)
                    let x0 = max(0, ox * p.strideX - p.paddingX), x1 = min(x.w, ox * p.strideX - p.paddingX + kw)
                    var acc: Float = isMax ? -.infinity : 0
                    for yy in y0..<y1 {
                        for xx in x0..<x1 {
                            let v = x.data[(ch * x.h + yy) * x.w + xx]
                            acc = isMax ? Swift.max(acc, v) : acc + v
                        }
                    }
                    out[(ch * oh + oy) * ow + ox] = isMax ? acc : acc / Float((y1 - y0) * (x1 - x0))
                }
            }
        }
        return Map(c: x.c, h: oh, w: ow, data: out)
    }
}
