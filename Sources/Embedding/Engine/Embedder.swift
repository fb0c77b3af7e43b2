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

/// The SIMD level the kernels run at.
public enum InstructionSet: Int, Sendable, Comparable, CaseIterable {
    /// Portable C loops (any x86-64 or other CPU).
    case scalar = 0
    /// AVX2 + FMA, 8 floats per instruction.
    case avx2 = 1
    /// AVX-512F, 16 floats per instruction.
    case avx512 = 2

    /// The best level this CPU runs (AVX-512 can be disabled with `FACEGATE_NO_AVX512=1`).
    public static var best: InstructionSet { InstructionSet(rawValue: Int(fg_best_isa())) ?? .scalar }

    /// Orders by capability.
    public static func < (a: InstructionSet, b: InstructionSet) -> Bool { a.rawValue < b.rawValue }
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
        /// Highest SIMD level to use (nil = the best the CPU has); lowered to what the CPU has.
        public var instructionSet: InstructionSet?
        /// Faces one thread pushes through the early (large) layers together. 1 keeps each
        /// face's activations in the core's caches, which measured fastest here.
        public var microBatch: Int = 1
        /// Faces one thread pushes together through the late layers whose outputs are at most
        /// 7x7 (weight-bound: batching reads each weight once per group). 1 disables.
        public var tailBatch: Int = 8

        /// Default settings.
        public init(threads: Int = 1, gemm: GEMMBackend = .packed, requireAVX2: Bool = false,
                    normalization: InputNormalization = .unspecified, instructionSet: InstructionSet? = nil,
                    microBatch: Int = 1, tailBatch: Int = 8) {
            self.tailBatch = tailBatch
            self.threads = threads
            self.instructionSet = instructionSet
            self.microBatch = microBatch
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
    /// Whether the AVX2/FMA (or AVX-512) kernels run (false: portable scalar fallback).
    public var usesAVX2: Bool { instructionSet >= .avx2 }
    /// The SIMD level the kernels run at.
    public let instructionSet: InstructionSet
    /// Settings in use.
    public let config: Config

    private let plan: ExecutionPlan
    private let pool = Mutex<[Workspace]>([])
    private let tailPool = Mutex<[Workspace]>([])

    /// Compiles `graph` (optimising it first).
    /// - Throws: `.unsupportedCPU` when `config.requireAVX2` and the CPU lacks AVX2/FMA.
    public init(graph: Graph, config: Config = Config()) throws {
        instructionSet = min(config.instructionSet ?? .best, .best)
        if config.requireAVX2 && InstructionSet.best < .avx2 {
            throw EngineError(.unsupportedCPU, "this CPU lacks AVX2/FMA, which the engine was configured to require")
        }
        if config.gemm == .openBLAS { fg_blas_set_threads(1) }
        let optimized = GraphOptimizer.optimize(graph)
        self.graph = optimized
        self.config = config
        if case .normalize(let mean, let scale)? = graph.nodes.first?.operation {  // before folding into the stem
            normalization = .inGraph(mean: mean, scale: scale)
        } else {
            normalization = config.normalization
        }
        plan = ExecutionPlan(graph: optimized, backend: config.gemm, isa: Int32(instructionSet.rawValue))
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

    /// Runs one face `runs` times on the calling thread and returns, per compiled step, its
    /// name and its fastest time in microseconds (the machine is shared, so the minimum is the
    /// least noisy figure; for `facegate bench engine --profile`).
    public func profile(runs: Int) -> [(step: String, microseconds: Double)] {
        let input = [Float](repeating: 0.5, count: inputShape.count)
        var output = [Float](repeating: 0, count: embeddingLength)
        var ns = [UInt64](repeating: 0, count: plan.steps.count)
        let ws = Workspace()
        input.withUnsafeBufferPointer { src in
            output.withUnsafeMutableBufferPointer { dst in
                var once = [UInt64](repeating: 0, count: plan.steps.count)
                ns = [UInt64](repeating: .max, count: plan.steps.count)
                for _ in 0..<max(runs, 1) {
                    for i in once.indices { once[i] = 0 }
                    once.withUnsafeMutableBufferPointer { t in
                        plan.run(input: src.baseAddress!, batch: 1, output: dst.baseAddress!, workspace: ws, stepNanoseconds: t.baseAddress)
                    }
                    for i in once.indices { ns[i] = min(ns[i], once[i]) }
                }
            }
        }
        return zip(plan.steps, ns).map { ($0.summary, Double($1) / 1000) }
    }

    private func runPart(_ src: UnsafePointer<Float>, batch: Int, _ dst: UnsafeMutablePointer<Float>) {
        let ws = pool.withLock { $0.popLast() } ?? Workspace()
        defer { pool.withLock { $0.append(ws) } }
        if config.tailBatch > 1 && config.microBatch <= 1 && batch > 1 {
            let tail = tailPool.withLock { $0.popLast() } ?? Workspace()
            defer { tailPool.withLock { $0.append(tail) } }
            var start = 0
            while start < batch {
                let count = min(config.tailBatch, batch - start)
                plan.runSplit(input: src + start * inputShape.count, batch: count, output: dst + start * embeddingLength,
                              head: ws, tail: tail)
                start += count
            }
            return
        }
        let step = max(config.microBatch, 1)
        var start = 0
        while start < batch {
            let count = min(step, batch - start)
            plan.run(input: src + start * inputShape.count, batch: count, output: dst + start * embeddingLength, workspace: ws)
            start += count
        }
    }
}
