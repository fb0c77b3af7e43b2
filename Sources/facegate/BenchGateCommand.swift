import ArgumentParser
import Embedding
import Foundation
import OODGate

/// `facegate bench gate`: time per face of the quality cues and of batched scorer inference.
struct BenchGateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gate",
        abstract: "Quality cues and learned scorer: microseconds per face (medians over repeats)."
    )

    @Option(help: "Aligned face side, pixels.")
    var size: Int = 112

    @Option(help: "Faces per scorer batch.")
    var batch: Int = 16

    @Option(help: "Embedding width.")
    var dimensions: Int = 128

    @Option(help: "Repeats (the median is printed).")
    var repeats: Int = 31

    @Flag(help: "Also print one JSON object on the last line.")
    var json = false

    func run() throws {
        var g = SeededGenerator(seed: 1)
        let pixels = (0..<(size * size * 3)).map { _ in UInt8(truncatingIfNeeded: g.next()) }
        guard let face = PixelImage(width: size, height: size, format: .rgb, pixels: pixels) else {
            throw ValidationError("size must be positive")
        }
        let landmarks = FaceLandmarks(leftEye: Point2(x: 38, y: 52), rightEye: Point2(x: 74, y: 52),
                                      nose: Point2(x: 56, y: 72), leftMouth: Point2(x: 42, y: 92), rightMouth: Point2(x: 71, y: 92))
        let clock = ContinuousClock()
        func median(_ body: () throws -> Void) rethrows -> Double {
            var times: [Double] = []
            for _ in 0..<repeats {
                let t = try clock.measure(body)
                times.append(Double(t.components.seconds) * 1e6 + Double(t.components.attoseconds) / 1e12)
            }
            return times.sorted()[times.count / 2]
        }
        // Reference: one pass summing the same bytes (memory-bound floor).
        var sink = 0
        let reference = median { sink &+= face.pixels.reduce(0) { $0 &+ Int($1) } }
        var cueSink: Float = 0
        let cuesUS = median { cueSink += QualityCues(alignedFace: face, landmarks: landmarks).sharpness }

        // The trained gate's shape: typicality features and a 5-network ensemble (the default).
        let width = GateScorer.inputWidth(embeddingDimensions: dimensions, typicality: true)
        let networks = (0..<5).map { _ in MLP(inputs: width, hidden: [64], generator: &g) }
        var identity = [Float](repeating: 0, count: dimensions * dimensions)
        for j in 0..<dimensions { identity[j * dimensions + j] = 1 }
        let typicality = try EmbeddingTypicality(mean: (0..<dimensions).map { _ in g.nextGaussian() * 0.1 }, precision: identity)
        let scorer = try GateScorer(modelID: "bench", embeddingDimensions: dimensions,
                                    normaliser: FeatureNormaliser(mean: .init(repeating: 0, count: width), inverseStd: .init(repeating: 1, count: width)),
                                    networks: networks, typicality: typicality, threshold: 0.5)
        let gate = Gate(scorer: scorer)
        let embeddings = (0..<(batch * dimensions)).map { _ in g.nextGaussian() }
        let cues = [QualityCues](repeating: QualityCues(alignedFace: face, landmarks: landmarks), count: batch)
        var verdictSink = 0
        let batchUS = try median { verdictSink += try gate.evaluate(embeddings: embeddings, cues: cues).count }
        let perFace = batchUS / Double(batch)
        print(String(format: "cues (%dx%d RGB):        %8.2f us/face  (%.1fx a one-pass byte sum, %.2f us)", size, size, cuesUS, cuesUS / reference, reference))
        print(String(format: "gate, batch %3d (%d-d):  %8.2f us/face  (%.2f us/batch)", batch, dimensions, perFace, batchUS))
        if json {
            print("{\"cues_us\":\(cuesUS),\"reference_us\":\(reference),\"gate_us_per_face\":\(perFace),\"batch\":\(batch),\"sink\":\(sink % 2 + verdictSink % 2 + Int(cueSink) % 2)}")
        }
    }
}
