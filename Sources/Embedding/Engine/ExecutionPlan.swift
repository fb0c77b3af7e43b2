import CEmbeddingKernels

#if canImport(Glibc)
import Glibc
#endif

/// Which matrix-multiply implementation runs 1x1 convolutions, im2col convolutions and Gemm.
public enum GEMMBackend: String, Sendable, CaseIterable {
    /// The engine's own AVX2/FMA kernel on pre-packed weights with the epilogue fused.
    case packed
    /// OpenBLAS `cblas_sgemm` (one thread per call), epilogue as a second pass.
    case openBLAS
}

/// One compiled operation: which kernel, its geometry and pointers into the plan's weights.
enum Step {
    struct Epilogue {
        var bias: UnsafePointer<Float>?
        var activation: Int32 = Int32(FG_ACT_NONE)
        var lo: Float = 0, hi: Float = 0
        var slopes: UnsafePointer<Float>?
    }
    struct Conv {
        var inShape: TensorShape, outShape: TensorShape
        var kernelH: Int, kernelW: Int, strideY: Int, strideX: Int, padTop: Int, padLeft: Int
        var groups: Int
        /// Weights: packed GEMM panels (per group), `[K][N]` for OpenBLAS, or `[kh][kw][C]` for depthwise.
        var weights: [UnsafePointer<Float>]
        var epilogue: Epilogue
        var residual: ValueID?
    }
    case convolution1x1(Conv, input: ValueID, output: ValueID)
    case convolutionIm2col(Conv, input: ValueID, output: ValueID)
    /// Groups-1 convolution read in place (implicit GEMM); `frame` is the zero-padded input
    /// size (rows, columns) it needs, nil when the input itself covers every tap.
    case convolutionImplicit(Conv, frame: (rows: Int, columns: Int)?, input: ValueID, output: ValueID)
    case depthwise(Conv, input: ValueID, output: ValueID)
    case affine(scale: UnsafePointer<Float>, bias: UnsafePointer<Float>, Epilogue, shape: TensorShape, input: ValueID, output: ValueID)
    case pool(Pooling, isMax: Bool, inShape: TensorShape, outShape: TensorShape, input: ValueID, output: ValueID)
    case globalAveragePool(TensorShape, input: ValueID, output: ValueID)
    case binary(isMultiply: Bool, shape: TensorShape, broadcast: Bool, a: ValueID, b: ValueID, output: ValueID)
    case paddedAdd(TensorShape, TensorShape, TensorShape, a: ValueID, b: ValueID, output: ValueID)
    case flatten(TensorShape, input: ValueID, output: ValueID)
    /// A plain copy of `count` floats per sample (HWC flatten of an NHWC map).
    case copy(count: Int, input: ValueID, output: ValueID)
    case fullyConnected(inFeatures: Int, outFeatures: Int, weights: UnsafePointer<Float>, Epilogue, input: ValueID, output: ValueID)
    case concat([(ValueID, Int)], TensorShape, output: ValueID)
    case l2Normalize(Int, input: ValueID, output: ValueID)
}

/// A graph compiled for the fast kernels: channels-innermost (NHWC) layout everywhere, weights
/// re-laid out and packed once, and a buffer plan so a forward pass allocates nothing.
///
/// Immutable after `init`; run it through a `Workspace` (one per thread).
final class ExecutionPlan: @unchecked Sendable {
    // @unchecked: every stored property is written only in `init`; the weight memory behind the
    // pointers in `steps` is owned by `storage`, never written after `init`, freed in `deinit`.
    let graph: Graph
    let steps: [Step]
    let buffers: BufferPlan
    /// Floats of im2col scratch one sample needs.
    let scratchFloats: Int
    let backend: GEMMBackend
    /// FG_ISA_* level every kernel call asks for.
    let isa: Int32
    /// First step of the "tail": from here on every output is small (<= `tailArea` positions),
    /// so batched execution reads each weight once per batch (`runSplit`); `steps.count` = none.
    let splitStep: Int
    /// Values computed before `splitStep` and read from it on (copied between the two phases).
    let boundaryValues: [ValueID]
    /// Largest spatial area of a tail step (7x7).
    static let tailArea = 49
    private var storage: [UnsafeMutablePointer<Float>] = []

    init(graph: Graph, backend: GEMMBackend, isa: Int32) {
        self.graph = graph
        self.backend = backend
        self.isa = isa
        buffers = BufferPlan(graph: graph)
        var steps = [Step]()
        var scratch = 0
        var storage = [UnsafeMutablePointer<Float>]()
        func keep(_ a: [Float]) -> UnsafePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(a.count, 1) + 16)
            p.initialize(repeating: 0, count: max(a.count, 1) + 16)
            a.withUnsafeBufferPointer { if let b = $0.baseAddress { p.update(from: b, count: a.count) } }
            storage.append(p)
            return UnsafePointer(p)
        }
        /// Packs a row-major `[K][N]` matrix for the chosen backend.
        func packB(_ b: [Float], k: Int, n: Int) -> UnsafePointer<Float> {
            switch backend {
            case .openBLAS:
                return keep(b)
            case .packed:
                var packed = [Float](repeating: 0, count: fg_packed_b_size(Int32(k), Int32(n), isa))
                b.withUnsafeBufferPointer { src in
                    packed.withUnsafeMutableBufferPointer { fg_pack_b(Int32(k), Int32(n), src.baseAddress, Int32(n), $0.baseAddress, isa) }
                }
                return keep(packed)
            }
        }
        func epilogue(_ a: Activation, bias: [Float]?) -> Step.Epilogue {
            var e = Step.Epilogue()
            if let bias, bias.contains(where: { $0 != 0 }) { e.bias = keep(bias) }
            switch a {
            case .none: break
            case .relu: e.activation = Int32(FG_ACT_RELU)
            case .clip(let lo, let hi): e.activation = Int32(FG_ACT_CLIP); e.lo = lo; e.hi = hi
            case .prelu(let s): e.activation = Int32(FG_ACT_PRELU); e.slopes = keep(s)
            case .sigmoid: e.activation = Int32(FG_ACT_SIGMOID)
            }
            return e
        }

        for node in graph.nodes {
            let x = node.inputs[0], y = node.output
            let inShape = graph.shape(of: x), outShape = graph.shape(of: y)
            switch node.operation {
            case .convolution(let c):
                var conv = Step.Conv(
                    inShape: inShape, outShape: outShape, kernelH: c.kernelHeight, kernelW: c.kernelWidth,
                    strideY: c.strideY, strideX: c.strideX, padTop: c.padding.top, padLeft: c.padding.left,
                    groups: c.groups, weights: [], epilogue: epilogue(c.activation, bias: c.bias),
                    residual: c.hasResidual ? node.inputs[1] : nil)
                let khw = c.kernelHeight * c.kernelWidth
                if c.isDepthwise {
                    var w = [Float](repeating: 0, count: khw * c.outChannels)
                    for ch in 0..<c.outChannels { for k in 0..<khw { w[k * c.outChannels + ch] = c.weights[ch * khw + k] } }
                    conv.weights = [keep(w)]
                    steps.append(.depthwise(conv, input: x, output: y))
                } else {
                    let cg = c.inChannels / c.groups, og = c.outChannels / c.groups
                    let kTotal = khw * cg
                    for g in 0..<c.groups {
                        // B[k = (ky*kw + kx)*cg + ci][o] = W[g*og + o][ci][ky][kx]
                        var b = [Float](repeating: 0, count: kTotal * og)
                        for o in 0..<og {
                            for ci in 0..<cg {
                                for k in 0..<khw {
                                    b[(k * cg + ci) * og + o] = c.weights[((g * og + o) * cg + ci) * khw + k]
                                }
                            }
                        }
                        conv.weights.append(packB(b, k: kTotal, n: og))
                    }
                    let pointwise = khw == 1 && c.strideY == 1 && c.strideX == 1 && c.padding == .zero && c.groups == 1
                    if pointwise {
                        steps.append(.convolution1x1(conv, input: x, output: y))
                    } else if c.groups == 1 && backend == .packed && khw <= 64 && Self.implicitConvolutions
                                && min(isa, fg_best_isa()) >= Int32(FG_ISA_AVX512) {
                        // Implicit GEMM is the AVX-512 path; on AVX2 im2col + GEMM is faster (measured).
                        let rows = (outShape.height - 1) * c.strideY + c.kernelHeight
                        let columns = (outShape.width - 1) * c.strideX + c.kernelWidth
                        let inPlace = c.padding.top == 0 && c.padding.left == 0 && rows <= inShape.height && columns <= inShape.width
                        if !inPlace { scratch = max(scratch, rows * columns * inShape.channels) }
                        steps.append(.convolutionImplicit(conv, frame: inPlace ? nil : (rows, columns), input: x, output: y))
                    } else {
                        scratch = max(scratch, outShape.area * kTotal)
                        steps.append(.convolutionIm2col(conv, input: x, output: y))
                    }
                }
            case .normalize(let mean, let scale):
                let bias = zip(mean, scale).map { -$0 * $1 }
                steps.append(.affine(scale: keep(scale), bias: keep(bias), Step.Epilogue(), shape: inShape, input: x, output: y))
            case .affine(let scale, let bias):
                steps.append(.affine(scale: keep(scale), bias: keep(bias), Step.Epilogue(), shape: inShape, input: x, output: y))
            case .activation(let a):
                let ones = [Float](repeating: 1, count: inShape.channels)
                let zeros = [Float](repeating: 0, count: inShape.channels)
                steps.append(.affine(scale: keep(ones), bias: keep(zeros), epilogue(a, bias: nil), shape: inShape, input: x, output: y))
            case .maxPool(let p):
                steps.append(.pool(p, isMax: true, inShape: inShape, outShape: outShape, input: x, output: y))
            case .averagePool(let p):
                steps.append(.pool(p, isMax: false, inShape: inShape, outShape: outShape, input: x, output: y))
            case .globalAveragePool:
                steps.append(.globalAveragePool(inShape, input: x, output: y))
            case .add, .multiply:
                let b = node.inputs[1]
                steps.append(.binary(isMultiply: node.operation == .multiply, shape: inShape,
                                     broadcast: graph.shape(of: b).area == 1 && inShape.area != 1, a: x, b: b, output: y))
            case .paddedAdd:
                steps.append(.paddedAdd(inShape, graph.shape(of: node.inputs[1]), outShape, a: x, b: node.inputs[1], output: y))
            case .flatten:
                steps.append(.flatten(inShape, input: x, output: y))
            case .flattenChannelsLast:
                steps.append(.copy(count: inShape.count, input: x, output: y))
            case .fullyConnected(let f):
                // Inputs are NHWC in memory: row (p*C + c) of B takes CHW column (c*area + p).
                let area = inShape.area, ch = inShape.channels
                var b = [Float](repeating: 0, count: f.inFeatures * f.outFeatures)
                for o in 0..<f.outFeatures {
                    for c in 0..<ch { for p in 0..<area { b[(p * ch + c) * f.outFeatures + o] = f.weights[o * f.inFeatures + c * area + p] } }
                }
                steps.append(.fullyConnected(inFeatures: f.inFeatures, outFeatures: f.outFeatures,
                                             weights: packB(b, k: f.inFeatures, n: f.outFeatures),
                                             epilogue(f.activation, bias: f.bias), input: x, output: y))
            case .concat:
                steps.append(.concat(node.inputs.map { ($0, graph.shape(of: $0).channels) }, outShape, output: y))
            case .l2Normalize:
                steps.append(.l2Normalize(inShape.count, input: x, output: y))
            }
        }
        self.steps = steps
        self.scratchFloats = scratch
        // Steps correspond one to one to graph nodes.
        var split = graph.nodes.count
        while split > 0 && graph.nodes[split - 1].inputs.allSatisfy({ graph.shape(of: $0).area <= Self.tailArea }) {
            split -= 1
        }
        if split == 0 { split = graph.nodes.count }  // the whole graph is small: plain batching
        var boundary = [ValueID]()
        var producedBefore = Set([graph.input.index])
        for node in graph.nodes[..<split] { producedBefore.insert(node.output.index) }
        var seen = Set<Int>()
        let tailReads = graph.nodes[split...].flatMap(\.inputs) + [graph.output]
        for v in tailReads where producedBefore.contains(v.index) && seen.insert(v.index).inserted { boundary.append(v) }
        self.splitStep = split
        self.boundaryValues = boundary
        self.storage = storage
    }

    deinit {
        for p in storage { p.deallocate() }
    }

    /// Groups-1 k x k and strided convolutions run as implicit GEMM (no im2col copy); setting
    /// `FACEGATE_IM2COL=1` in the environment selects the im2col path instead (for comparisons).
    static let implicitConvolutions: Bool = getenv("FACEGATE_IM2COL") == nil
}

extension Step {
    /// Kernel and geometry, for profiles.
    var summary: String {
        switch self {
        case .convolution1x1(let c, _, _): "conv1x1 \(c.inShape)->\(c.outShape)"
        case .convolutionIm2col(let c, _, _): "conv\(c.kernelH)x\(c.kernelW)/\(c.strideY) g\(c.groups) \(c.inShape)->\(c.outShape)"
        case .convolutionImplicit(let c, _, _, _): "iconv\(c.kernelH)x\(c.kernelW)/\(c.strideY) \(c.inShape)->\(c.outShape)"
        case .depthwise(let c, _, _): "dw\(c.kernelH)x\(c.kernelW)/\(c.strideY) \(c.inShape)->\(c.outShape)"
        case .affine(_, _, _, let s, _, _): "affine \(s)"
        case .pool(_, let m, let a, let b, _, _): "\(m ? "max" : "avg")pool \(a)->\(b)"
        case .globalAveragePool(let s, _, _): "gap \(s)"
        case .binary(let m, let s, _, _, _, _): "\(m ? "mul" : "add") \(s)"
        case .paddedAdd(_, _, let s, _, _, _): "paddedAdd \(s)"
        case .flatten(let s, _, _): "flatten \(s)"
        case .copy(let n, _, _): "copy \(n)"
        case .fullyConnected(let i, let o, _, _, _, _): "fc \(i)->\(o)"
        case .concat(_, let s, _): "concat \(s)"
        case .l2Normalize(let n, _, _): "l2norm \(n)"
        }
    }
}
