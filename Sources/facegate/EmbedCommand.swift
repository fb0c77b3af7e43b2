import ArgumentParser
import Embedding
import Foundation
import Logging

/// `facegate embed`: one JSON line per image with the embedding and how it was obtained.
struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Embed face images with a model; prints one JSON line per image.",
        discussion: """
            Each line: file, model {name, sha256}, landmark_source, landmarks (x, y pairs), box,
            embedding, timings_ms {decode, align, forward}. A file that fails prints
            {file, error {code, message}} and the command exits 1 after the others.
            Without --box or --landmarks each image is taken to be a face crop (see CropBox).
            """
    )

    @Option(name: .long, help: "Model name (dlib) or path to a .dat or .onnx file.")
    var model: String = ModelRegistry.defaultModel

    @Option(name: .long, help: "Model cache folder (default: $FACEGATE_CACHE or ~/.cache/facegate).")
    var cache: String?

    @Option(name: .long, help: "Face box for every image: left,top,right,bottom (inclusive pixels).")
    var box: String?

    @Option(name: .long, help: "Five landmarks for every image: x1,y1,...,x5,y5 in API order.")
    var landmarks: String?

    @Flag(name: .long, help: "Print raw network outputs instead of L2-normalised embeddings.")
    var raw = false

    @Option(name: .long, help: "Crop box side for images without box/landmarks, fraction of min(width, height).")
    var cropSize: Double = CropBox().size

    @Option(name: .long, help: "Crop box centre height for images without box/landmarks, fraction of the height.")
    var cropCenterY: Double = CropBox().centerY

    @Option(name: .long, help: "Engine threads per batch.")
    var threads: Int = 1

    @Argument(help: "JPEG or PNG files.")
    var images: [String]

    func run() throws {
        var logger = Logger(label: "facegate.embed")
        logger.logLevel = .warning
        let hint = try parseHint()
        var cacheConfig = ModelCache.Config(directory: cache.map { URL(fileURLWithPath: $0, isDirectory: true) })
        cacheConfig.allowDownload = true
        var engine = Embedder.Config()
        engine.threads = max(1, threads)
        var alignment = DlibAligner.Config()
        alignment.cropBox.size = cropSize
        alignment.cropBox.centerY = cropCenterY
        let registry = ModelRegistry(cache: ModelCache(config: cacheConfig, logger: logger), engine: engine,
                                     dlibAlignment: alignment)
        let faceModel: FaceModel
        do {
            faceModel = try registry.load(model)
        } catch {
            FileHandle.standardError.write(Data("facegate embed: cannot load model '\(model)': \(error)\n".utf8))
            throw ExitCode.failure
        }
        let decoder = ImageDecoder()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var failures = 0
        for file in images {
            let line: EmbedLine
            do {
                let t0 = ContinuousClock.now
                guard let data = FileManager.default.contents(atPath: file) else {
                    throw ImageError(.empty, "cannot read \(file)")
                }
                let image = try decoder.decode([UInt8](data))
                let t1 = ContinuousClock.now
                let prepared = try faceModel.prepare(image, hint: hint)
                let t2 = ContinuousClock.now
                let embedding = try faceModel.embed([prepared], l2Normalize: !raw)[0]
                let t3 = ContinuousClock.now
                line = EmbedLine(
                    file: file, model: faceModel.identity, landmark_source: prepared.aligned.source.rawValue,
                    landmarks: prepared.aligned.landmarks.map { [$0.x, $0.y] },
                    box: prepared.aligned.box.map { [$0.left, $0.top, $0.right, $0.bottom] },
                    embedding: embedding,
                    timings_ms: ["decode": ms(t0, t1), "align": ms(t1, t2), "forward": ms(t2, t3)], error: nil)
            } catch {
                failures += 1
                line = EmbedLine(file: file, error: EmbedLine.Failure(error))
            }
            print(String(decoding: try encoder.encode(line), as: UTF8.self))
        }
        if failures > 0 { throw ExitCode.failure }
    }

    private func ms(_ a: ContinuousClock.Instant, _ b: ContinuousClock.Instant) -> Double {
        let d = a.duration(to: b).components
        return (Double(d.seconds) * 1e3 + Double(d.attoseconds) / 1e15 * 1000).rounded() / 1000
    }

    private func parseHint() throws -> FaceHint {
        if let box {
            let v = box.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard v.count == 4, v[2] >= v[0], v[3] >= v[1] else { throw ValidationError("--box needs left,top,right,bottom") }
            return .box(FaceBox(left: v[0], top: v[1], right: v[2], bottom: v[3]))
        }
        if let landmarks {
            let v = landmarks.split(separator: ",").compactMap { Float($0.trimmingCharacters(in: .whitespaces)) }
            guard v.count == 10, let five = FiveLandmarks((0..<5).map { Point2(x: v[2 * $0], y: v[2 * $0 + 1]) }) else {
                throw ValidationError("--landmarks needs 10 numbers: x1,y1,...,x5,y5")
            }
            return .landmarks(five)
        }
        return .none
    }
}

/// One output line of `facegate embed`.
struct EmbedLine: Encodable {
    struct Failure: Encodable {
        var code: String
        var message: String

        init(_ error: any Error) {
            switch error {
            case let e as ImageError: (code, message) = (e.code.rawValue, e.message)
            case let e as ModelError: (code, message) = (e.code.rawValue, e.message)
            case let e as EngineError: (code, message) = (e.code.rawValue, e.message)
            default: (code, message) = ("INTERNAL", "\(error)")
            }
        }
    }

    var file: String
    var model: ModelIdentity?
    var landmark_source: String?
    var landmarks: [[Float]]?
    var box: [Int]?
    var embedding: [Float]?
    var timings_ms: [String: Double]?
    var error: Failure?

    init(file: String, model: ModelIdentity? = nil, landmark_source: String? = nil, landmarks: [[Float]]? = nil,
         box: [Int]? = nil, embedding: [Float]? = nil, timings_ms: [String: Double]? = nil, error: Failure?) {
        self.file = file
        self.model = model
        self.landmark_source = landmark_source
        self.landmarks = landmarks
        self.box = box
        self.embedding = embedding
        self.timings_ms = timings_ms
        self.error = error
    }
}
