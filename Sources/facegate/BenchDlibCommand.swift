import ArgumentParser
import Embedding
import Foundation
import Logging

/// `facegate bench dlib`: the dlib ResNet (read from its .dat file) on the engine.
struct BenchDlibCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlib",
        abstract: "Time the dlib ResNet through the engine (ms per face); compare with scripts/bench-dlib-reference.py.",
        discussion: """
            Builds the engine graph from dlib_face_recognition_resnet_model_v1.dat (model cache), runs
            --warmup untimed and --runs timed batches of LCG noise chips, and prints the median ms per
            batch and per face. scripts/bench-dlib-reference.py runs this and onnxruntime on the same
            network (exported by scripts/dlib-to-onnx.py) in alternating rounds and prints ratios.
            """
    )

    @Option(name: .long, help: "Model cache folder (default: $FACEGATE_CACHE or ~/.cache/facegate).")
    var cache: String?

    @Option(name: .long, help: "Faces per batch.")
    var batch: Int = 1

    @Option(name: .long, help: "Threads one batch is split across.")
    var threads: Int = 1

    @Option(name: .long, help: "Timed batches (median reported).")
    var runs: Int = 20

    @Option(name: .long, help: "Untimed batches first.")
    var warmup: Int = 3

    @Flag(name: .long, help: "Print one JSON object on the last line.")
    var json = false

    func run() throws {
        var logger = Logger(label: "facegate.bench")
        logger.logLevel = .warning
        let config = ModelCache.Config(directory: cache.map { URL(fileURLWithPath: $0, isDirectory: true) })
        let paths = try ModelCache(config: config, logger: logger).fetch()
        let network = try DlibNetwork.read(contentsOf: paths[0])
        var engine = Embedder.Config()
        engine.threads = max(1, threads)
        let embedder = try Embedder(graph: try network.graph(), config: engine)
        let n = max(1, batch)
        var data = [Float](repeating: 0, count: n * embedder.inputShape.count)
        var x: UInt64 = 1
        for i in data.indices {
            x = (x &* 1_103_515_245 &+ 12345) % (1 << 31)
            data[i] = Float((x >> 16) & 255)
        }
        let input = try Tensor(batch: n, shape: embedder.inputShape, data: data)
        for _ in 0..<max(0, warmup) { _ = try embedder.embed(input, l2Normalize: false) }
        var times: [Double] = []
        var checksum: Float = 0
        for _ in 0..<max(1, runs) {
            let t0 = ContinuousClock.now
            let out = try embedder.embed(input, l2Normalize: false)
            let d = t0.duration(to: .now).components
            times.append(Double(d.seconds) * 1e3 + Double(d.attoseconds) / 1e15)
            checksum += out.data[0]
        }
        let median = times.sorted()[times.count / 2]
        print("dlib ResNet on the engine: batch \(n), threads \(engine.threads), \(times.count) runs; checksum \(checksum)")
        print(String(format: "median %.2f ms per batch, %.2f ms per face", median, median / Double(n)))
        if json {
            print("{\"bench\":\"dlib\",\"batch\":\(n),\"threads\":\(engine.threads),\"ms_per_batch\":\(median),\"ms_per_face\":\(median / Double(n))}")
        }
    }
}
