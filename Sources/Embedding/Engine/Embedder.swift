import CEmbeddingKernels
import Dispatch
import Synchronization

/// How model input pixels must be prepared before `Embedder.embed`.
public enum InputNormalization: Sendable, Equatable {
    /// The graph normalises itself (its first node is `normalize`): feed pixel values 0...255.
    case inGraph(mean: [Float], scale: [Float])
    /// Feed `(pixel / 255 - mean[c]) / std[c]` (e.g. ImageNet statistics for MobileFaceNet).
    case meanStd(mean: [Float], std: [Float])
    /// Feed `(pixel - 127.5) / 128` (the InsightFace convention).
    case centered128
    /// The model file does not say; the caller must know.
    case unspecified
}

/// Turns a batch of aligned face crops into embeddings with the fast kernels.
///
/// Built once per model (folding, fusing, packing weights, planning buffers), then reused for
/// every call. Thread-safe: concurrent `embed` calls each take a private workspace from a pool,
/// so steady-state calls allocate only their result. A batch is split across
/// `Config.threads` threads; a single face runs on the calling thread alone.
public final class Embedder: Sendable {
    /// Settings of an embedder.
    public struct Config: Sendable {
        /// Threads one batch is split across (1 = the calling thread only).
        public var threads: Int = 1
        /// Matrix-multiply implementation (both are measured by `facegate bench engine`).
        public var gemm: GEMMBackend = .packed
        /// Throw `.unsupportedCPU` instead of running the scalar fallback when AVX2/FMA is absent.
        public var requireAVX2: Bool = false
        /// Input preparation to report when the graph does not normalise itself.
        public var normalization: InputNormalization = .unspecified

        /// Default settings.
        public init(threads: Int = 1, gemm: GEMMBackend = .packed, requireAVX2: Bool = false,
                    normalization: InputNormalization = .unspecified) {
            self.threads = threads
            self.gemm = gemm
            self.requireAVX2 = requireAVX2
            self.normalization = normalization
        }
    }

    /// The optimised graph that runs.
    public let graph: Graph
    /// Per-face input shape (channels x height x width); inputs are NCHW float32.
    public var inputShape: TensorShape { graph.inputShape }
    /// Memory layout `embed` expects: `"NCHW"` float32, batch-major.
    public let inputLayout = "NCHW"
    /// How pixels must be prepared.
    public let normalization: InputNormalization
    /// Floats per embedding.
    public var embeddingLength: Int { graph.outputShape.count }
    /// Whether the AVX2/FMA kernels run (false: portable scalar fallback).
    public let usesAVX2: Bool
    /// Settings in use.
    public let config: Config

    private let plan: ExecutionPlan
    private let pool = Mutex<[Workspace]>([])

    /// Compiles `graph` (optimising it first).
    /// - Throws: `.unsupportedCPU` when `config.requireAVX2` and the CPU lacks AVX2/FMA.
    public init(graph: Graph, config: Config = Config()) throws {
        usesAVX2 = fg_cpu_has_avx2_fma() != 0
        if config.requireAVX2 && !usesAVX2 {
            throw EngineError(.unsupportedCPU, "this CPU lacks AVX2/FMA, which the engine was configured to require")
        }
        if config.gemm == .openBLAS { fg_blas_set_threads(1) }
        let optimized = GraphOptimizer.optimize(graph)
        self.graph = optimized
        self.config = config
        if case .normalize(let mean, let scale)? = optimized.nodes.first?.operation {
            normalization = .inGraph(mean: mean, scale: scale)
        } else {
            normalization = config.normalization
        }
        plan = ExecutionPlan(graph: optimized, backend: config.gemm)
    }

    /// Loads an ONNX model file and compiles it.
    /// - Throws: any `EngineError` of `ONNXImporter.load(contentsOf:)` or `init(graph:config:)`.
    public convenience init(onnxFile path: String, config: Config = Config()) throws {
        try self.init(graph: try ONNXImporter.load(contentsOf: path), config: config)
    }

    /// Embeds a batch.
    /// - Parameters:
    ///   - input: `batch` faces of `inputShape`, NCHW.
    ///   - l2Normalize: divide each embedding by its L2 norm.
    /// - Returns: `[batch, embeddingLength]` as a tensor of vectors.
    /// - Throws: `.invalidInput` when the input shape differs from `inputShape`.
    public func embed(_ input: Tensor, l2Normalize: Bool = true) throws -> Tensor {
        guard input.shape == inputShape else {
            throw EngineError(.invalidInput, "input faces are \(input.shape), the model expects \(inputShape)")
        }
        var out = [Float](repeating: 0, count: input.batch * embeddingLength)
        input.data.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                run(src.baseAddress!, batch: input.batch, dst.baseAddress!, l2Normalize: l2Normalize)
            }
        }
        return try Tensor(batch: input.batch, shape: graph.outputShape, data: out)
    }

    /// Embeds a batch from and into caller-owned memory (no allocation in steady state).
    /// - Throws: `.invalidInput` when the buffer sizes do not match `batch`.
    public func embed(_ input: UnsafeBufferPointer<Float>, batch: Int, into output: UnsafeMutableBufferPointer<Float>,
                      l2Normalize: Bool = true) throws {
        guard batch >= 0, input.count == batch * inputShape.count, output.count == batch * embeddingLength,
              let src = input.baseAddress ?? (batch == 0 ? UnsafePointer(bitPattern: 16) : nil),
              let dst = output.baseAddress ?? (batch == 0 ? UnsafeMutablePointer(bitPattern: 16) : nil)
        else {
            throw EngineError(.invalidInput, "buffers of \(input.count) / \(output.count) floats do not fit a batch of \(batch)")
        }
        run(src, batch: batch, dst, l2Normalize: l2Normalize)
    }

    private func run(_ src: UnsafePointer<Float>, batch: Int, _ dst: UnsafeMutablePointer<Float>, l2Normalize: Bool) {
        guard batch > 0 else { return }
        let parts = min(max(config.threads, 1), batch)
        let inCount = inputShape.count, outCount = embeddingLength
        if parts == 1 {
            runPart(src, batch: batch, dst)
        } else {
            // Contiguous slices, sizes differing by at most one face.
            let srcAddress = UInt(bitPattern: src), dstAddress = UInt(bitPattern: dst)
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                let start = batch * part / parts, end = batch * (part + 1) / parts
                let s = UnsafePointer<Float>(bitPattern: srcAddress)! + start * inCount
                let d = UnsafeMutablePointer<Float>(bitPattern: dstAddress)! + start * outCount
                runPart(s, batch: end - start, d)
            }
        }
        if l2Normalize {
            for b in 0..<batch {
                let v = dst + b * outCount
                var ss: Float = 0
                for i in 0..<outCount { ss += v[i] * v[i] }
                let inv = 1 / (ss.squareRoot() + 1e-12)
                for i in 0..<outCount { v[i] *= inv }
            }
        }
    }

    private func runPart(_ src: UnsafePointer<Float>, batch: Int, _ dst: UnsafeMutablePointer<Float>) {
        let ws = pool.withLock { $0.popLast() } ?? Workspace()
        plan.run(input: src, batch: batch, output: dst, workspace: ws)
        pool.withLock { $0.append(ws) }
    }
}
