import Embedding
import Testing
@testable import OODGate

@Suite("Degradation")
struct DegradationTests {
    @Test("every kind changes the image, keeps its geometry, and is deterministic", arguments: Degradation.Kind.allCases)
    func everyKind(kind: Degradation.Kind) {
        var g1 = SeededGenerator(seed: 42)
        var g2 = SeededGenerator(seed: 42)
        let d1 = Degradation.random(kind, using: &g1)
        let d2 = Degradation.random(kind, using: &g2)
        #expect(d1 == d2)
        #expect(d1.kind == kind)
        let s = Fixtures.sample(size: 48)
        let a = d1.apply(to: s)
        #expect(a == d2.apply(to: s))
        #expect(a.alignedFace.pixels != s.alignedFace.pixels)
        #expect(a.alignedFace.width == 48 && a.alignedFace.height == 48 && a.alignedFace.format == .rgb)
    }

    @Test("random degradations trip the default cue limits for the kinds the cues can see", arguments: [
        Degradation.Kind.blur, .lowLight, .overExposure, .downscale,
    ])
    func defaultLimitsCatchObviousJunk(kind: Degradation.Kind) {
        var g = SeededGenerator(seed: 7)
        let s = Fixtures.sample()
        #expect(CueThresholds().violations(s.cues).isEmpty)
        for _ in 0..<5 {
            let cues = Degradation.random(kind, using: &g).apply(to: s).cues
            #expect(!CueThresholds().violations(cues).isEmpty, "\(kind) passed the default limits: \(cues)")
        }
    }

    @Test("occlusion fills exactly the rectangle")
    func occlusionRectangle() throws {
        let image = try #require(PixelImage(width: 10, height: 10, format: .gray, pixels: [UInt8](repeating: 100, count: 100)))
        let s = FaceSample(alignedFace: image, landmarks: Fixtures.landmarks())
        let out = Degradation.occlusion(x: 0.2, y: 0.3, width: 0.5, height: 0.4, level: 7).apply(to: s).alignedFace
        #expect(out.pixels.filter { $0 == 7 }.count == 5 * 4)
        #expect(out.pixels[3 * 10 + 2] == 7 && out.pixels[2 * 10 + 2] == 100)
    }

    @Test("block DCT with a tiny step is nearly lossless, a large step is lossy")
    func blockDCT() {
        let s = Fixtures.sample(size: 32, format: .gray)
        func meanAbsError(_ step: Float) -> Float {
            let out = Degradation.blockDCT(step: step).apply(to: s).alignedFace.pixels
            return zip(out, s.alignedFace.pixels).reduce(Float(0)) { $0 + abs(Float($1.0) - Float($1.1)) } / Float(out.count)
        }
        #expect(meanAbsError(0.5) < 0.6)
        #expect(meanAbsError(100) > 5)
    }

    @Test("blur keeps a constant image constant")
    func blurConstant() throws {
        let image = try #require(PixelImage(width: 9, height: 7, format: .rgb, pixels: [UInt8](repeating: 90, count: 9 * 7 * 3)))
        let out = Degradation.blur(sigma: 2).apply(to: FaceSample(alignedFace: image, landmarks: Fixtures.landmarks()))
        #expect(out.alignedFace.pixels.allSatisfy { $0 == 90 })
    }
}
