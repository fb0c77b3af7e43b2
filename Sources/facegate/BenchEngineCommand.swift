import ArgumentParser
import Embedding
import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// `facegate bench engine`: times the CNN engine on one model file.
///
/// `--model` is an ONNX file, a dlib network file (`.dat`), or `dlib` (the default dlib ResNet
/// from the model cache). Prints ms per batch and faces/s (median of `--runs` timed passes after `--warmup` passes) and
/// the process's peak RSS; with `--json`, one JSON object on the last line.
struct BenchEngineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "Time the embedding engine: ms per batch, faces/s, peak memory."
    )

    @Option(help: "ONNX model file, dlib network file (.dat), or 'dlib' (the cached dlib ResNet).")
    var model: String

    @Option(help: "Model cache folder for --model dlib (default: $FACEGATE_CACHE or ~/.cache/facegate).")
    var cache: String?

    @Option(help: "Faces per batch.")
    var batch: Int = 1

    @Option(help: "Threads one batch is split across.")
    var threads: Int = 1

    @Option(help: "Timed passes (the median is reported).")
    var runs: Int = 50

    @Option(help: "Untimed passes first.")
    var warmup: Int = 5

    @Option(help: "Matrix multiply: packed (own AVX2 kernel) or openBLAS.")
    var gemm: String = "packed"

    @Option(help: "Faces one thread runs through the graph together.")
    var microBatch: Int = 1

    @Option(help: "Faces batched through the late (<= 7x7) layers; 1 disables.")
    var tailBatch: Int = 8

    @Option(help: "Highest SIMD level: avx512, avx2 or scalar (default: the best this CPU has).")
    var isa: String?

    @Flag(help: "Print the time of each compiled step (one face, one thread) first.")
    var profile = false

    @Flag(help: "Print one JSON object on the last line.")
    var json = false

    func run() throws {
        guard batch >= 1, threads >= 1, runs >= 1, warmup >= 0 else {
            throw ValidationError("--batch, --threads and --runs must be >= 1")
        }
        guard let backend = GEMMBackend(rawValue: gemm) else {
            throw ValidationError("--gemm must be one of \(GEMMBackend.allCases.map(\.rawValue))")
        }
        var level: InstructionSet?
        if let isa {
            guard let l = InstructionSet.allCases.first(where: { "\($0)" == isa }) else {
                throw ValidationError("--isa must be one of avx512, avx2, scalar")
            }
            level = l
        }
        let clock = ContinuousClock()
        let loadStart = clock.now
        let embedder = try Embedder(graph: try loadGraph(), config: .init(threads: threads, gemm: backend, instructionSet: level,
                                                                         microBatch: microBatch, tailBatch: tailBatch))
        let loadMs = (clock.now - loadStart).milliseconds
        if profile {
            _ = embedder.profile(runs: 5)
            let steps = embedder.profile(runs: 50)
            let total = steps.reduce(0) { $0 + $1.microseconds }
            for (name, us) in steps { print("  \(fmt(us, 1)) us  \(fmt(us / total * 100, 1))%  \(name)") }
            print("  total \(fmt(total / 1000, 3)) ms per face")
        }
        var rng = SplitMix64(seed: 42)
        let input = try Tensor(batch: batch, shape: embedder.inputShape,
                               data: (0..<(batch * embedder.inputShape.count)).map { _ in rng.nextFloat() * 2 - 1 })
        var output = [Float](repeating: 0, count: batch * embedder.embeddingLength)
        func pass() throws {
            try input.data.withUnsafeBufferPointer { src in
                try output.withUnsafeMutableBufferPointer { try embedder.embed(src, batch: batch, into: $0) }
            }
        }
        for _ in 0..<warmup { try pass() }
        var times = [Double](), cpuTimes = [Double]()
        for _ in 0..<runs {
            let c0 = Self.processCPUms()
            let t0 = clock.now
            try pass()
            times.append((clock.now - t0).milliseconds)
            cpuTimes.append(Self.processCPUms() - c0)
        }
        cpuTimes.sort()
        let cpuMedian = cpuTimes[cpuTimes.count / 2]
        if ProcessInfoLite.env("FACEGATE_BENCH_TRACE") != nil { print("times", times.map { fmt($0, 2) }) }
        times.sort()
        let median = times[times.count / 2]
        let p90 = times[min(times.count - 1, times.count * 9 / 10)]
        let peakMB = Self.peakResidentMB()
        let mflops = Double(embedder.graph.multiplyAccumulates) * 2 / 1e6
        let gflops = mflops * Double(batch) / median
        print("model \(model): input \(embedder.inputShape) NCHW, embedding \(embedder.embeddingLength), "
              + "\(fmt(mflops, 1)) MFLOP/face, load \(fmt(loadMs, 1)) ms, SIMD \(embedder.instructionSet), gemm \(backend.rawValue)")
        print("batch \(batch) threads \(threads): median \(fmt(median, 3)) ms/batch (min \(fmt(times[0], 3)), p90 \(fmt(p90, 3))), "
              + "\(fmt(median / Double(batch), 3)) ms/face, \(fmt(Double(batch) * 1000 / median, 1)) faces/s, "
              + "\(fmt(gflops, 1)) GFLOP/s, CPU \(fmt(cpuMedian, 3)) ms/batch, peak RSS \(fmt(peakMB, 1)) MB")
        if json {
            print("{\"bench\":\"engine\",\"model\":\"\(model)\",\"batch\":\(batch),\"threads\":\(threads),"
                  + "\"gemm\":\"\(backend.rawValue)\",\"runs\":\(runs),\"ms_per_batch_median\":\(fmt(median, 4)),"
                  + "\"ms_per_batch_min\":\(fmt(times[0], 4)),\"cpu_ms_per_batch_median\":\(fmt(cpuMedian, 4)),\"ms_per_batch_p90\":\(fmt(p90, 4)),"
                  + "\"ms_per_face\":\(fmt(median / Double(batch), 4)),\"faces_per_s\":\(fmt(Double(batch) * 1000 / median, 2)),"
                  + "\"mflop_per_face\":\(fmt(mflops, 2)),\"gflop_per_s\":\(fmt(gflops, 2)),\"peak_rss_mb\":\(fmt(peakMB, 1)),"
                  + "\"isa\":\"\(embedder.instructionSet)\"}")
        }
    }

    /// The model's graph: ONNX import, or the dlib reader for `.dat` files and `dlib`.
    private func loadGraph() throws -> Graph {
        if model == "dlib" {
            var logger = Logger(label: "facegate.bench")
            logger.logLevel = .warning
            let config = ModelCache.Config(directory: cache.map { URL(fileURLWithPath: $0, isDirectory: true) })
            let paths = try ModelCache(config: config, logger: logger).fetch()
            return try DlibNetwork.read(contentsOf: paths[0]).graph()
        }
        if model.hasSuffix(".dat") {
            return try DlibNetwork.read(contentsOf: URL(fileURLWithPath: model)).graph()
        }
        return try ONNXImporter.load(contentsOf: model)
    }

    /// CPU time of the whole process (all threads), milliseconds.
    static func processCPUms() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) * 1000 + Double(ts.tv_nsec) / 1e6
    }

    /// VmHWM of this process in MB (unlike ru_maxrss it does not inherit a parent's peak across exec).
    static func peakResidentMB() -> Double {
        guard let f = fopen("/proc/self/status", "r") else { return -1 }
        defer { fclose(f) }
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, Int32(line.count), f) != nil {
            let s = String(cString: line)
            if s.hasPrefix("VmHWM:") {
                let kb = s.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first.flatMap { Double($0) } ?? -1
                return kb / 1024
            }
        }
        return -1
    }

    private func fmt(_ v: Double, _ digits: Int) -> String {
        var p = 1.0
        for _ in 0..<digits { p *= 10 }
        let r = (v * p).rounded() / p
        return "\(r)"
    }
}

/// A tiny deterministic generator for benchmark inputs.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func nextFloat() -> Float { Float(next() >> 40) / Float(1 << 24) }
}

extension Duration {
    fileprivate var milliseconds: Double {
        let (s, a) = components
        return Double(s) * 1000 + Double(a) / 1e15
    }
}

enum ProcessInfoLite {
    static func env(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }
}
