import Foundation
import Testing
@testable import Embedding

@Suite("DlibFaceChip vs dlib", .enabled(if: TestPhotos.available(), "SKIPPED: test photos missing; run scripts/fetch-test-data.sh"))
struct DlibFaceChipParityTests {
    @Test("chip from dlib's landmarks matches dlib.get_face_chip",
          arguments: DlibReferences.shared.images.filter { !$0.faces.isEmpty }.map(\.file))
    func chip(file: String) throws {
        let face = try #require(DlibReferences.shared.images.first { $0.file == file }?.faces.first)
        let image = try TestPhotos.image(file)
        let landmarks = face.landmarks.map { Point2(x: Float($0[0]), y: Float($0[1])) }
        let ours = DlibFaceChip().extract(from: image, landmarks: landmarks)
        let expected = try ImageDecoder().decode([UInt8](try Data(contentsOf: ImageFixtures.dlibDirectory.appendingPathComponent(face.chip))))
        #expect(ours.width == 150 && ours.height == 150)
        let diffs = zip(ours.pixels, expected.pixels).map { abs(Int($0) - Int($1)) }
        let mean = Double(diffs.reduce(0, +)) / Double(diffs.count)
        let worst = diffs.max() ?? 0
        // PNG sources decode identically to Pillow, so the chip must be identical; JPEGs may
        // differ by a level or two where libjpeg builds differ.
        if file.hasSuffix(".png") {
            #expect(worst == 0, "max diff \(worst), mean \(mean)")
        } else {
            #expect(mean < 1.0 && worst <= 24, "max diff \(worst), mean \(mean)")
        }
    }
}

@Suite("DlibFaceChip geometry")
struct DlibFaceChipGeometryTests {
    @Test("template landmarks map to an upright chip centred on the face")
    func upright() {
        let chip = DlibFaceChip()
        // Landmarks exactly at the template scaled to a 300 px face at (100, 50).
        let landmarks = DlibFaceChip.template.map { Point2(x: Float(100 + $0.0 * 300), y: Float(50 + $0.1 * 300)) }
        let d = chip.details(landmarks: landmarks)
        #expect(abs(d.angle) < 1e-6)
        // Chip covers the face plus 25% padding on each side: 450 px wide, centred at (250, 200).
        #expect(abs((d.rect.2 - d.rect.0 + 1) - 450) < 1e-3)
        #expect(abs((d.rect.0 + d.rect.2) / 2 - 250) < 1e-3)
        #expect(abs((d.rect.1 + d.rect.3) / 2 - 200) < 1e-3)
    }

    @Test("pyramid_down<2> sizes and a constant image stay constant")
    func pyramid() throws {
        let image = try #require(PixelImage(width: 41, height: 30, format: .rgb, pixels: [UInt8](repeating: 200, count: 41 * 30 * 3)))
        let down = try #require(ImagePyramid.down(image))
        #expect(down.width == 19 && down.height == 13)
        #expect(down.pixels.allSatisfy { $0 == 200 })
        #expect(ImagePyramid.down(try #require(PixelImage(width: 8, height: 30, format: .rgb, pixels: [UInt8](repeating: 0, count: 8 * 30 * 3)))) == nil)
    }

    @Test("similarity fit recovers a known rotation, scale and shift")
    func similarity() {
        let from: [(Double, Double)] = [(0, 0), (10, 0), (0, 10), (7, 3)]
        let angle = 0.3, scale = 1.7
        let to = from.map { (scale * (cos(angle) * $0.0 - sin(angle) * $0.1) + 5, scale * (sin(angle) * $0.0 + cos(angle) * $0.1) - 2) }
        let t = AffineTransform2D.similarity(from: from, to: to)
        #expect(abs(t.m.0 - scale * cos(angle)) < 1e-12 && abs(t.m.2 - scale * sin(angle)) < 1e-12)
        #expect(abs(t.t.0 - 5) < 1e-9 && abs(t.t.1 + 2) < 1e-9)
    }
}

@Suite("Alignment with hostile hints")
struct HostileHintTests {
    @Test("absurd landmarks are refused; far-away boxes give a black chip, never a trap")
    func hostile() throws {
        #expect(FiveLandmarks([Point2(x: .nan, y: 0), Point2(x: 0, y: 0), Point2(x: 0, y: 0), Point2(x: 0, y: 0), Point2(x: 0, y: 0)]) == nil)
        #expect(FiveLandmarks([Point2(x: 1e30, y: 0), Point2(x: 0, y: 0), Point2(x: 0, y: 0), Point2(x: 0, y: 0), Point2(x: 0, y: 0)]) == nil)
        #expect(FiveLandmarks([Point2(x: 1, y: 0)]) == nil)
        #expect(!FaceBox(left: 0, top: 0, right: Int.max, bottom: 5).isValid)
        #expect(!FaceBox(left: 5, top: 0, right: 4, bottom: 5).isValid)
        let image = PixelImage(width: 40, height: 30, format: .rgb)
        var far: [Point2] = []
        for i in 0..<5 {
            let x = Float(900_000 + i * 1000)
            let y = Float(-900_000 + i * 700)
            far.append(Point2(x: x, y: y))
        }
        let chip = DlibFaceChip().extract(from: image, landmarks: far)
        #expect(chip.pixels.allSatisfy { $0 == 0 })
        let warped = TemplateAligner(predictor: nil).warp(image, landmarks: far)
        #expect(warped.width == 112)
    }
}
