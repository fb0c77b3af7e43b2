import Foundation
import Testing
@testable import Embedding

@Suite("ModelCache")
struct ModelCacheTests {
    static func tempDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("facegate-cache-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static let small = PinnedModelFile(fileName: "small.dat", wheelMember: "x/small.dat",
                                       sha256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")  // "abc"

    @Test("with valid files present nothing is downloaded (python is never run)")
    func offlineHit() throws {
        let dir = try Self.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data("abc".utf8).write(to: dir.appendingPathComponent("small.dat"))
        var config = ModelCache.Config(directory: dir)
        config.files = [Self.small]
        config.python = "/nonexistent/python"
        let paths = try ModelCache(config: config).fetch()
        #expect(paths == [dir.appendingPathComponent("small.dat")])
        // Second run uses the verified stamp.
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("small.dat.verified").path))
        #expect(try ModelCache(config: config).fetch() == paths)
    }

    @Test("missing file with downloads disabled is notFound")
    func offlineMiss() throws {
        let dir = try Self.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var config = ModelCache.Config(directory: dir)
        config.files = [Self.small]
        config.allowDownload = false
        let error = #expect(throws: ModelError.self) { try ModelCache(config: config).fetch() }
        #expect(error?.code == .notFound)
        #expect(error?.message.contains("small.dat") == true)
    }

    @Test("a damaged file is fetched again; a failing pip gives downloadFailed")
    func damaged() throws {
        let dir = try Self.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data("abd".utf8).write(to: dir.appendingPathComponent("small.dat"))
        var config = ModelCache.Config(directory: dir)
        config.files = [Self.small]
        config.python = "false"  // exits 1
        let error = #expect(throws: ModelError.self) { try ModelCache(config: config).fetch() }
        #expect(error?.code == .downloadFailed)
    }

    @Test("pinned files never include the 68-point model")
    func noSixtyEight() {
        let config = ModelCache.Config(directory: URL(fileURLWithPath: "/tmp"))
        #expect(config.files.count == 2)
        #expect(!config.files.contains { $0.fileName.contains("68") })
    }
}

@Suite("ModelDescription")
struct ModelDescriptionTests {
    @Test("defaults: ArcFace template scaled to the input, ImageNet statistics")
    func defaults() {
        let d = ModelDescription()
        #expect(d.templatePoints(width: 112, height: 112) == TemplateAligner.arcFace112)
        #expect(d.templatePoints(width: 224, height: 224)[0] == Point2(x: 38.2946 * 2, y: 51.6963 * 2))
    }

    @Test("invalid descriptions are rejected with the file name", arguments: [
        #"{"alignment": "dlib"}"#, #"{"template": [[1, 2]]}"#, #"{"color": "yuv"}"#, #"{"std": [0, 1, 1]}"#, "not json",
    ])
    func invalid(text: String) throws {
        let dir = try ModelCacheTests.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(text.utf8).write(to: dir.appendingPathComponent("m.json"))
        let error = #expect(throws: ModelError.self) { try ModelDescription.load(besideModel: dir.appendingPathComponent("m.onnx").path) }
        #expect(error?.code == .invalidModel)
        #expect(error?.message.contains("m.json") == true)
    }

    @Test("a valid description is read")
    func valid() throws {
        let dir = try ModelCacheTests.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(#"{"name": "mfn", "color": "bgr", "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5]}"#.utf8)
            .write(to: dir.appendingPathComponent("m.json"))
        let d = try ModelDescription.load(besideModel: dir.appendingPathComponent("m.onnx").path)
        #expect(d.name == "mfn" && d.color == "bgr" && d.mean == [0.5, 0.5, 0.5])
    }
}

@Suite("TemplateAligner")
struct TemplateAlignerTests {
    @Test("landmarks already on the template reproduce the top-left crop exactly")
    func identity() throws {
        var pixels = [UInt8](repeating: 0, count: 200 * 150 * 3)
        for i in pixels.indices { pixels[i] = UInt8((i * 31) % 251) }
        let image = try #require(PixelImage(width: 200, height: 150, format: .rgb, pixels: pixels))
        let aligner = TemplateAligner(predictor: nil)
        let five = try #require(FiveLandmarks(TemplateAligner.arcFace112))
        let face = try #require(aligner.align(image, hint: .landmarks(five)))
        #expect(face.image.width == 112 && face.image.height == 112)
        #expect(face.source == .client)
        for y in [0, 50, 111] {
            for x in [0, 60, 111] {
                #expect(face.image.pixels[(y * 112 + x) * 3] == pixels[(y * 200 + x) * 3])
            }
        }
    }

    @Test("without landmarks and without a predictor alignment is refused")
    func needsLandmarks() throws {
        let image = PixelImage(width: 50, height: 50, format: .rgb)
        #expect(TemplateAligner(predictor: nil).align(image, hint: .none) == nil)
    }

    @Test("a shifted, scaled face maps back onto the template")
    func similarity() throws {
        // A bright dot at each template point, drawn at 2x scale shifted by (30, 20).
        var image = PixelImage(width: 300, height: 300, format: .rgb)
        let points = TemplateAligner.arcFace112.map { Point2(x: $0.x * 2 + 30, y: $0.y * 2 + 20) }
        for p in points {
            for dy in -2...2 { for dx in -2...2 {
                let i = ((Int(p.y) + dy) * 300 + Int(p.x) + dx) * 3
                image.pixels[i] = 255; image.pixels[i + 1] = 255; image.pixels[i + 2] = 255
            } }
        }
        let five = try #require(FiveLandmarks(points))
        let face = try #require(TemplateAligner(predictor: nil).align(image, hint: .landmarks(five)))
        for t in TemplateAligner.arcFace112 {
            #expect(face.image.pixels[(Int(t.y.rounded()) * 112 + Int(t.x.rounded())) * 3] > 200)
        }
    }
}
