import Foundation
import Testing
@testable import Embedding

/// Optional tier: the MobileFaceNet in ../shared/models through the registry (ONNX + ArcFace
/// template alignment). Skipped, with a message, on machines without /work/shared.
enum SharedMobileFaceNet {
    static let path: String? = {
        let candidates = [
            ProcessInfo.processInfo.environment["FACEGATE_MOBILEFACENET"] ?? "",
            DlibModelFiles.repositoryRoot.appendingPathComponent("../shared/models/mobilefacenet_foamliu.onnx").path,
            "/work/shared/models/mobilefacenet_foamliu.onnx",
        ]
        return candidates.first { !$0.isEmpty && FileManager.default.fileExists(atPath: $0) }
    }()
}

@Suite("ONNX model through the registry",
       .enabled(if: SharedMobileFaceNet.path != nil && TestPhotos.available() && DlibModelFiles.shapePredictor != nil,
                "SKIPPED (optional tier): ../shared/models/mobilefacenet_foamliu.onnx or test data not present"))
struct ONNXFaceModelTests {
    @Test("MobileFaceNet: identity, 112x112 ArcFace alignment, same person closer than different people")
    func mobileFaceNet() throws {
        let path = try #require(SharedMobileFaceNet.path)
        var config = ModelCache.Config(directory: try #require(DlibModelFiles.shapePredictor).deletingLastPathComponent())
        config.allowDownload = false
        let model = try ModelRegistry(cache: ModelCache(config: config)).load(path)
        #expect(model.identity.name == "mobilefacenet_foamliu")
        #expect(model.identity.sha256.count == 64)
        func embedding(_ file: String) throws -> [Float] {
            let face = try #require(DlibReferences.shared.images.first { $0.file == file }?.faces.first)
            let box = FaceBox(left: face.box[0], top: face.box[1], right: face.box[2], bottom: face.box[3])
            let prepared = try model.prepare(try TestPhotos.image(file), hint: .box(box))
            #expect(prepared.aligned.image.width == 112 && prepared.aligned.source == .predictorInClientBox)
            return try model.embed([prepared], l2Normalize: true)[0]
        }
        let obama = try embedding("obama.jpg"), obama2 = try embedding("obama2.jpg"), biden = try embedding("biden.jpg")
        #expect(abs(obama.map { $0 * $0 }.reduce(0, +) - 1) < 1e-4)
        #expect(l2(obama, obama2) < l2(obama, biden))
        #expect(l2(obama, obama2) < l2(obama2, biden))
    }
}
