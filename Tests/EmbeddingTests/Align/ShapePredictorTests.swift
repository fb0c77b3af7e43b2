import Foundation
import Testing
@testable import Embedding

enum TestPhotos {
    static func available() -> Bool {
        FileManager.default.fileExists(atPath: DlibModelFiles.testImages.appendingPathComponent("obama.jpg").path)
    }

    /// Decoded test photo (cached per process).
    static func image(_ file: String) throws -> PixelImage {
        let bytes = [UInt8](try Data(contentsOf: DlibModelFiles.testImages.appendingPathComponent(file)))
        return try ImageDecoder().decode(bytes)
    }

    static let predictor: ShapePredictor? = DlibModelFiles.shapePredictor.flatMap { try? ShapePredictor.read(contentsOf: $0) }
}

@Suite("ShapePredictor vs dlib", .enabled(if: TestPhotos.available() && TestPhotos.predictor != nil,
                                          "SKIPPED: test photos or 5-point model missing; run scripts/fetch-test-data.sh"))
struct ShapePredictorParityTests {
    @Test("landmarks within 1 px of dlib for detector boxes and perturbed boxes",
          arguments: DlibReferences.shared.images.map(\.file))
    func landmarks(file: String) throws {
        let predictor = try #require(TestPhotos.predictor)
        let image = try TestPhotos.image(file)
        let gray = image.grayByChannelMean()
        let reference = DlibReferences.shared
        var cases: [([Int], [[Int]])] = []
        for face in reference.images.first(where: { $0.file == file })?.faces ?? [] { cases.append((face.box, face.landmarks)) }
        for p in reference.perturbed_boxes where p.file == file { cases.append((p.box, p.landmarks)) }
        #expect(!cases.isEmpty)
        var worst: Float = 0
        for (box, expected) in cases {
            let points = predictor.predict(gray: gray, box: FaceBox(left: box[0], top: box[1], right: box[2], bottom: box[3]))
            #expect(points.count == 5)
            for (p, e) in zip(points, expected) {
                worst = max(worst, abs(p.x - Float(e[0])), abs(p.y - Float(e[1])))
            }
        }
        #expect(worst <= 1, "worst landmark error \(worst) px in \(file)")
    }
}

@Suite("ShapePredictor reader")
struct ShapePredictorReaderTests {
    @Test("the real file parses to 15 cascades of 500 depth-4 trees",
          .enabled(if: TestPhotos.predictor != nil, "SKIPPED: 5-point model missing; run scripts/fetch-test-data.sh"))
    func realFile() throws {
        let predictor = try #require(TestPhotos.predictor)
        #expect(predictor.landmarkCount == 5)
        #expect(predictor.cascades.count == 15)
        #expect(predictor.cascades.allSatisfy { $0.treeCount == 500 && $0.anchors.count == 800 })
        #expect(predictor.splitsPerTree == 15)
    }

    @Test("truncated, mutated and empty files give malformedModel, never a crash")
    func hostile() throws {
        let bytes = SyntheticDlib.shapePredictor()
        let good = try ShapePredictor.parse(bytes, source: "tiny.dat")
        #expect(good.landmarkCount == 5)
        var rng = SplitMix64(seed: 77)
        for round in 0..<400 {
            var mutated = bytes
            if round % 2 == 0 {
                mutated = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &rng)))
            } else {
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    mutated[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                }
            }
            do {
                let predictor = try ShapePredictor.parse(mutated, source: "tiny.dat")
                // Whatever parsed must be usable without trapping.
                let image = PixelImage(width: 20, height: 20, format: .gray)
                _ = predictor.predict(gray: image, box: FaceBox(left: 2, top: 2, right: 17, bottom: 17))
            } catch let error as EngineError {
                #expect(error.code == .malformedModel)
                #expect(error.message.contains("tiny.dat"))
            }
        }
        let truncated = try #require(#expect(throws: EngineError.self) { try ShapePredictor.parse(Array(bytes.prefix(10)), source: "tiny.dat") })
        #expect(truncated.message.contains("byte offset"))
    }
}
