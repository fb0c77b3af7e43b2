import CEmbeddingKernels

#if canImport(Glibc)
import Glibc
#endif

extension ExecutionPlan {
    /// Runs a batch: `input` holds `batch` NCHW samples, `output` receives `batch` NCHW outputs.
    /// Uses only `workspace` memory (reserved here; grows only when the batch does).
    func run(input: UnsafePointer<Float>, batch n: Int, output: UnsafeMutablePointer<Float>, workspace ws: Workspace,
             stepNanoseconds: UnsafeMutablePointer<UInt64>? = nil) {
        guard n > 0 else { return }
        ws.reserve(self, batch: n)
        let inShape = graph.inputShape, outShape = graph.outputShape
        Self.transpose(input, to: ws.arena + buffers.offsets[graph.input.index] * n, batch: n,
                       channels: inShape.channels, area: inShape.area, toNHWC: true)
        runSteps(0..<steps.count, batch: n, workspace: ws, stepNanoseconds: stepNanoseconds)
        Self.transpose(ws.arena + buffers.offsets[graph.output.index] * n, to: output, batch: n,
                       channels: outShape.channels, area: outShape.area, toNHWC: false)
    }

    /// Runs a batch face by face through the large early layers (activations stay in cache),
    /// then all faces together through the small late layers (their weights are read once per
    /// batch instead of once per face). Same results as `run`.
    func runSplit(input: UnsafePointer<Float>, batch n: Int, output: UnsafeMutablePointer<Float>,
                  head: Workspace, tail: Workspace) {
        guard n > 1, splitStep < steps.count else {
            run(input: input, batch: n, output: output, workspace: head)
            return
        }
        head.reserve(self, batch: 1)
        tail.reserve(self, batch: n)
        let inShape = graph.inputShape, outShape = graph.outputShape
        let offsets = buffers.offsets
        for f in 0..<n {
            Self.transpose(input + f * inShape.count, to: head.arena + offsets[graph.input.index], batch: 1,
                           channels: inShape.channels, area: inShape.area, toNHWC: true)
            runSteps(0..<splitStep, batch: 1, workspace: head, stepNanoseconds: nil)
            for v in boundaryValues {
                let count = graph.shape(of: v).count
                (tail.arena + offsets[v.index] * n + f * count).update(from: head.arena + offsets[v.index], count: count)
            }
        }
        runSteps(splitStep..<steps.count, batch: n, workspace: tail, stepNanoseconds: nil)
        Self.transpose(tail.arena + offsets[graph.output.index] * n, to: output, batch: n,
                       channels: outShape.channels, area: outShape.area, toNHWC: false)
    }

    /// Runs `range` of the steps on a workspace already reserved for `n` samples.
    private func runSteps(_ range: Range<Int>, batch n: Int, workspace ws: Workspace,
                          stepNanoseconds: UnsafeMutablePointer<UInt64>?) {
        let arena = ws.arena
        let offsets = buffers.offsets
        @inline(__always) func ptr(_ v: ValueID) -> UnsafeMutablePointer<Float> { arena + offsets[v.index] * n }

        var t0 = stepNanoseconds == nil ? 0 : Self.nanoseconds()
        for index in range {
            let step = steps[index]
            defer {
                if let t = stepNanoseconds {
                    let t1 = Self.nanoseconds()
                    t[index] += t1 - t0
                    t0 = t1
                }
            }
            switch step {
            case .convolution1x1(let c, let x, let y):
                let m = n * c.inShape.area
                var ep = fgEpilogue(c.epilogue, residual: c.residual.map { UnsafePointer(ptr($0)) }, ld: c.outShape.channels)
                gemm(m: m, n: c.outShape.channels, k: c.inShape.channels, a: ptr(x), lda: c.inShape.channels,
                     b: c.weights[0], c: ptr(y), ldc: c.outShape.channels, epilogue: &ep)
            case .convolutionIm2col(let c, let x, let y):
                let cin = c.inShape.channels, cout = c.outShape.channels
                let cg = cin / c.groups, og = cout / c.groups
                let kTotal = c.kernelH * c.kernelW * cg
                for b in 0..<n {
                    let xb = ptr(x) + b * c.inShape.count, yb = ptr(y) + b * c.outShape.count
                    let rb = c.residual.map { ptr($0) + b * c.outShape.count }
                    for g in 0..<c.groups {
                        fg_im2col(xb, Int32(c.inShape.height), Int32(c.inShape.width), Int32(cin), Int32(g * cg), Int32(cg),
                                  Int32(c.kernelH), Int32(c.kernelW), Int32(c.strideY), Int32(c.strideX),
                                  Int32(c.padTop), Int32(c.padLeft), Int32(c.outShape.height), Int32(c.outShape.width), ws.scratch)
                        var ep = fgEpilogue(c.epilogue, residual: rb.map { UnsafePointer($0 + g * og) }, ld: cout, channelOffset: g * og)
                        gemm(m: c.outShape.area, n: og, k: kTotal, a: ws.scratch, lda: kTotal, b: c.weights[g],
                             c: yb + g * og, ldc: cout, epilogue: &ep)
                    }
                }
            case .convolutionImplicit(let c, let frame, let x, let y):
                let si = c.inShape, cout = c.outShape.channels
                for b in 0..<n {
                    var src = UnsafePointer(ptr(x) + b * si.count)
                    var columns = si.width
                    var live = (rows: 0..<si.height, columns: 0..<si.width)
                    if let frame {
                        live = (c.padTop..<(c.padTop + si.height), c.padLeft..<(c.padLeft + si.width))
                        fg_pad_input(src, Int32(si.height), Int32(si.width), Int32(si.channels), Int32(c.padTop), Int32(c.padLeft),
                                     Int32(frame.rows), Int32(frame.columns), ws.scratch)
                        src = UnsafePointer(ws.scratch)
                        columns = frame.columns
                    }
                    let rb = c.residual.map { UnsafePointer(ptr($0) + b * c.outShape.count) }
                    var ep = fgEpilogue(c.epilogue, residual: rb, ld: cout)
                    fg_conv_implicit(src, Int32(columns), Int32(si.channels), Int32(live.rows.lowerBound), Int32(live.rows.upperBound),
                                     Int32(live.columns.lowerBound), Int32(live.columns.upperBound), Int32(c.kernelH), Int32(c.kernelW),
                                     Int32(c.strideY), Int32(c.strideX), c.weights[0], Int32(cout),
                                     ptr(y) + b * c.outShape.count, Int32(c.outShape.height), Int32(c.outShape.width), &ep)
                }
            case .depthwise(let c, let x, let y):
                let ch = c.outShape.channels
                for b in 0..<n {
                    let rb = c.residual.map { UnsafePointer(ptr($0) + b * c.outShape.count) }
                    var ep = fgEpilogue(c.epilogue, residual: rb, ld: ch)
                    fg_depthwise(ptr(x) + b * c.inShape.count, Int32(c.inShape.height), Int32(c.inShape.width), Int32(ch),
                                 c.weights[0], Int32(c.kernelH), Int32(c.kernelW), Int32(c.strideY), Int32(c.strideX),
                                 Int32(c.padTop), Int32(c.padLeft), ptr(y) + b * c.outShape.count,
                                 Int32(c.outShape.height), Int32(c.outShape.width), &ep)
                }
            case .affine(let scale, let bias, let e, let shape, let x, let y):
                var ep = fgEpilogue(e, residual: nil, ld: 0)
                if e.activation == Int32(FG_ACT_NONE) && e.bias == nil {
                    fg_affine(ptr(x), Int32(n * shape.area), Int32(shape.channels), scale, bias, nil, ptr(y))
                } else {
                    fg_affine(ptr(x), Int32(n * shape.area), Int32(shape.channels), scale, bias, &ep, ptr(y))
                }
            case .pool(let p, let isMax, let si, let so, let x, let y):
                for b in 0..<n {
                    fg_pool(ptr(x) + b * si.count, Int32(si.height), Int32(si.width), Int32(si.channels),
                            Int32(p.kernelHeight), Int32(p.kernelWidth), Int32(p.strideY), Int32(p.strideX),
                            Int32(p.padding.top), Int32(p.padding.left), Int32(p.padding.bottom), Int32(p.padding.right),
                            isMax ? 1 : 0, p.countIncludesPadding ? 1 : 0, ptr(y) + b * so.count,
                            Int32(so.height), Int32(so.width), isa)
                }
            case .globalAveragePool(let s, let x, let y):
                for b in 0..<n { fg_global_avg(ptr(x) + b * s.count, Int32(s.area), Int32(s.channels), ptr(y) + b * s.channels) }
            case .binary(let isMul, let s, let broadcast, let a, let bv, let y):
                if broadcast {
                    for b in 0..<n {
                        fg_binary(ptr(a) + b * s.count, ptr(bv) + b * s.channels, Int32(s.area), Int32(s.channels), 1,
                                  isMul ? 1 : 0, ptr(y) + b * s.count)
                    }
                } else {
                    fg_binary(ptr(a), ptr(bv), Int32(n * s.area), Int32(s.channels), Int32(n * s.area), isMul ? 1 : 0, ptr(y))
                }
            case .paddedAdd(let sa, let sb, let so, let a, let bv, let y):
                let out = ptr(y)
                out.update(repeating: 0, count: n * so.count)
                for (src, s) in [(ptr(a), sa), (ptr(bv), sb)] {
                    for b in 0..<n {
                        for r in 0..<s.height {
                            for col in 0..<s.width {
                                let i = src + b * s.count + (r * s.width + col) * s.channels
                                let o = out + b * so.count + (r * so.width + col) * so.channels
                                for c in 0..<s.channels { o[c] += i[c] }
                            }
                        }
                    }
                }
            case .flatten(let s, let x, let y):
                Self.transpose(ptr(x), to: ptr(y), batch: n, channels: s.channels, area: s.area, toNHWC: false)
            case .copy(let count, let x, let y):
                if ptr(x) != ptr(y) { ptr(y).update(from: ptr(x), count: n * count) }
            case .fullyConnected(let inF, let outF, let w, let e, let x, let y):
                var ep = fgEpilogue(e, residual: nil, ld: 0)
                gemm(m: n, n: outF, k: inF, a: ptr(x), lda: inF, b: w, c: ptr(y), ldc: outF, epilogue: &ep)
            case .concat(let parts, let so, let y):
                let out = ptr(y)
                var c0 = 0
                for (v, ch) in parts {
                    let src = ptr(v)
                    for p in 0..<(n * so.area) {
                        (out + p * so.channels + c0).update(from: src + p * ch, count: ch)
                    }
                    c0 += ch
                }
            case .l2Normalize(let count, let x, let y):
                for b in 0..<n {
                    let src = ptr(x) + b * count, dst = ptr(y) + b * count
                    var ss: Float = 0
                    for i in 0..<count { ss += src[i] * src[i] }
                    let inv = 1 / (ss.squareRoot() + 1e-12)
                    for i in 0..<count { dst[i] = src[i] * inv }
                }
            }
        }
    }

    static func nanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    private func gemm(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>,
                      c: UnsafeMutablePointer<Float>, ldc: Int, epilogue: inout fg_epilogue) {
        switch backend {
        case .packed:
            fg_gemm_packed(Int32(m), Int32(n), Int32(k), a, Int32(lda), b, c, Int32(ldc), &epilogue)
        case .openBLAS:
            fg_sgemm_blas(Int32(m), Int32(n), Int32(k), a, Int32(lda), b, Int32(n), c, Int32(ldc))
            fg_apply_epilogue(c, Int32(m), Int32(n), Int32(ldc), &epilogue)
        }
    }

    private func fgEpilogue(_ e: Step.Epilogue, residual: UnsafePointer<Float>?, ld: Int, channelOffset: Int = 0) -> fg_epilogue {
        fg_epilogue(bias: e.bias.map { $0 + channelOffset }, residual: residual, ld_residual: Int32(ld),
                    act: e.activation, lo: e.lo, hi: e.hi, slopes: e.slopes.map { $0 + channelOffset }, isa: isa)
    }

    /// NCHW <-> NHWC for `batch` samples (`toNHWC` picks the direction); a copy when area is 1.
    static func transpose(_ src: UnsafePointer<Float>, to dst: UnsafeMutablePointer<Float>, batch: Int, channels: Int,
                          area: Int, toNHWC: Bool) {
        let count = channels * area
        if area == 1 || channels == 1 {
            if UnsafePointer(dst) != src { dst.update(from: src, count: batch * count) }
            return
        }
        for b in 0..<batch {
            let s = src + b * count, d = dst + b * count
            if toNHWC {
                // Writes in order (the input image: few channels, each read as a sequential stream).
                for p in 0..<area { for c in 0..<channels { d[p * channels + c] = s[c * area + p] } }
            } else {
                for p in 0..<area { for c in 0..<channels { d[c * area + p] = s[p * channels + c] } }
            }
        }
    }
}
