import ArgumentParser
import Embedding
import Foundation
import Logging

/// `facegate bench index-embed`: embeds a labelled folder (`DIR/identity/*.jpg`, face crops such
/// as lfw-dev) with our own engine and writes `OUT/vectors.f32` (little-endian float32 rows,
/// L2-normalised) and `OUT/labels.txt` (one identity per row), the inputs of
/// `facegate bench index --vectors OUT/vectors.f32 --labels OUT/labels.txt --vector-dim D`.
/// Same pipeline as `facegate embed` without a hint (decode, align the face crop, embed in
/// batches, L2-normalise). Keep the output outside git (e.g. under var/, which is ignored).
struct BenchIndexEmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index-embed",
        abstract: "Embed a labelled face folder for `bench index --vectors` (writes vectors.f32 and labels.txt)."
    )

    @Option(help: "Labelled folder DIR/identity/*.jpg (face crops), e.g. ../shared/datasets/lfw-dev.")
    var data: String

    @Option(help: "Model name (dlib) or path to a .dat or .onnx file.")
    var model: String = ModelRegistry.defaultModel

    @Option(help: "Model cache folder (default: $FACEGATE_CACHE or ~/.cache/facegate).")
    var cache: String?

    @Option(help: "Output folder (created).")
    var out: String

    @Option(help: "Only the first N identities (smoke runs).")
    var limit: Int?

    @Option(help: "Faces per forward pass.")
    var batch: Int = 16

    func run() throws {
        var logger = Logger(label: "facegate.bench.index-embed")
        logger.logLevel = .warning
        var cacheConfig = ModelCache.Config(directory: cache.map { URL(fileURLWithPath: $0, isDirectory: true) })
        cacheConfig.allowDownload = true
        let registry = ModelRegistry(cache: ModelCache(config: cacheConfig, logger: logger))
        let faceModel = try registry.load(model)
        let fm = FileManager.default
        var people = try fm.contentsOfDirectory(atPath: data).filter {
            var isDir: ObjCBool = false
            return fm.fileExists(atPath: data + "/" + $0, isDirectory: &isDir) && isDir.boolValue
        }.sorted()
        if let limit { people = Array(people.prefix(limit)) }
        let decoder = ImageDecoder()
        let clock = ContinuousClock()
        let start = clock.now
        var vectors: [Float] = []
        var labels = ""
        var pending: [(label: String, face: PreparedFace)] = []
        var failures = 0, dimension = 0
        func flush() throws {
            guard !pending.isEmpty else { return }
            for (p, e) in zip(pending, try faceModel.embed(pending.map(\.face), l2Normalize: true)) {
                vectors += e
                labels += p.label + "\n"
                dimension = e.count
            }
            pending.removeAll(keepingCapacity: true)
        }
        for person in people {
            let files = try fm.contentsOfDirectory(atPath: data + "/" + person)
                .filter { ["jpg", "jpeg", "png"].contains(($0 as NSString).pathExtension.lowercased()) }.sorted()
            for file in files {
                do {
                    guard let bytes = fm.contents(atPath: data + "/" + person + "/" + file) else { failures += 1; continue }
                    pending.append((person, try faceModel.prepare(try decoder.decode([UInt8](bytes)), hint: .none)))
                    if pending.count >= max(1, batch) { try flush() }
                } catch {
                    failures += 1
                }
            }
        }
        try flush()
        try fm.createDirectory(atPath: out, withIntermediateDirectories: true)
        try writeFloats(vectors, to: out + "/vectors.f32")
        try Data(labels.utf8).write(to: URL(fileURLWithPath: out + "/labels.txt"))
        let rows = dimension == 0 ? 0 : vectors.count / dimension
        print("embedded \(rows) faces (\(failures) skipped), d = \(dimension), model \(faceModel.identity.sha256), in \(clock.now - start) -> \(out)")
    }
}
