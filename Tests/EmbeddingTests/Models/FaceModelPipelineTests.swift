import Foundation
import Testing
@testable import Embedding

enum DlibTestModel {
    /// The dlib model assembled from the test model files (no registry, no hashing).
    static let model: FaceModel? = {
        guard let network = DlibModelFiles.network, let predictor = TestPhotos.predictor,
              let graph = try? network.graph(), let embedder = try? Embedder(graph: graph) else { return nil }
        return FaceModel(identity: ModelIdentity(name: "dlib_resnet_v1", sha256: PinnedModelFile.dlibResNet.sha256),
                         embedder: embedder, alignment: .dlib(DlibAligner(predictor: predictor)))
    }()

    static func descriptor(_ image: PixelImage, _ hint: FaceHint) throws -> [Float] {
        let model = try #require(model)
        return try model.embed([try model.prepare(image, hint: hint)], l2Normalize: false)[0]
    }
}

func l2(_ a: [Float], _ b: [Float]) -> Float {
    zip(a, b).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
}

@Suite("dlib model through the engine", .enabled(if: DlibTestModel.model != nil && TestPhotos.available(),
                                                 "SKIPPED: dlib models or test photos missing; run scripts/fetch-test-data.sh"))
struct FaceModelPipelineTests {
    static let faces = DlibReferences.shared.images.filter { !$0.faces.isEmpty }.map(\.file)

    @Test("engine descriptor of dlib's own chip within 1e-4 of dlib", arguments: DlibReferences.shared.images.flatMap { $0.faces.map(\.chip) })
    func chipDescriptor(chip: String) throws {
        let model = try #require(DlibTestModel.model)
        let face = try #require(DlibReferences.shared.images.flatMap(\.faces).first { $0.chip == chip })
        let image = try ImageDecoder().decode([UInt8](try Data(contentsOf: ImageFixtures.dlibDirectory.appendingPathComponent(chip))))
        let ours = try model.embed([PreparedFace(aligned: AlignedFace(image: image, landmarks: [], source: .client, box: nil),
                                                 input: model.tensor(image))], l2Normalize: false)[0]
        let worst = zip(ours, face.chip_descriptor).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst < 1e-4, "max abs diff \(worst)")
    }

    @Test("engine descriptor of noise chips within 1e-4 of dlib", arguments: DlibReferences.shared.noise_chips.map(\.seed))
    func noiseDescriptor(seed: Int) throws {
        let model = try #require(DlibTestModel.model)
        let expected = try #require(DlibReferences.shared.noise_chips.first { $0.seed == seed }).descriptor
        let chip = try #require(PixelImage(width: 150, height: 150, format: .rgb, pixels: DlibReferences.noiseChip(seed: seed)))
        let ours = try model.embed([PreparedFace(aligned: AlignedFace(image: chip, landmarks: [], source: .client, box: nil),
                                                 input: model.tensor(chip))], l2Normalize: false)[0]
        let worst = zip(ours, expected).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst < 1e-4, "max abs diff \(worst)")
    }

    @Test("full pipeline (decode, landmarks, chip, descriptor) within 0.01 L2 of dlib for the same box", arguments: faces)
    func fullPipeline(file: String) throws {
        let face = try #require(DlibReferences.shared.images.first { $0.file == file }?.faces.first)
        let image = try TestPhotos.image(file)
        let box = FaceBox(left: face.box[0], top: face.box[1], right: face.box[2], bottom: face.box[3])
        let ours = try DlibTestModel.descriptor(image, .box(box))
        let distance = l2(ours, face.descriptor)
        #expect(distance < 0.01, "L2 \(distance) for \(file)")
    }

    @Test("same person below 0.6, different people above")
    func verification() throws {
        func descriptor(_ file: String) throws -> [Float] {
            let face = try #require(DlibReferences.shared.images.first { $0.file == file }?.faces.first)
            return try DlibTestModel.descriptor(try TestPhotos.image(file),
                                                .box(FaceBox(left: face.box[0], top: face.box[1], right: face.box[2], bottom: face.box[3])))
        }
        let obama = try descriptor("obama.jpg"), obama2 = try descriptor("obama2.jpg"), biden = try descriptor("biden.jpg")
        #expect(l2(obama, obama2) < 0.6)
        #expect(l2(obama, biden) > 0.6)
        #expect(l2(obama2, biden) > 0.6)
    }

    @Test("client landmarks (API order) give nearly dlib's descriptor")
    func clientLandmarks() throws {
        let face = try #require(DlibReferences.shared.images.first { $0.file == "obama.jpg" }?.faces.first)
        let p = face.landmarks.map { Point2(x: Float($0[0]), y: Float($0[1])) }
        // Eye centres from dlib's corners, nose, and mouth corners guessed below the nose.
        let api = try #require(FiveLandmarks([
            Point2(x: (p[2].x + p[3].x) / 2, y: (p[2].y + p[3].y) / 2), Point2(x: (p[0].x + p[1].x) / 2, y: (p[0].y + p[1].y) / 2),
            p[4], Point2(x: p[4].x - 30, y: p[4].y + 40), Point2(x: p[4].x + 30, y: p[4].y + 40)]))
        let model = try #require(DlibTestModel.model)
        let prepared = try model.prepare(try TestPhotos.image("obama.jpg"), hint: .landmarks(api))
        #expect(prepared.aligned.source == .predictorInLandmarkBox)
        let ours = try model.embed([prepared], l2Normalize: false)[0]
        #expect(l2(ours, face.descriptor) < 0.1)
    }
}
