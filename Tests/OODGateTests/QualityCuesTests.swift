import Embedding
import Testing
@testable import OODGate

@Suite("QualityCues")
struct QualityCuesTests {
    @Test("a blurred copy is less sharp", arguments: [Float(1), 2, 4])
    func blurLowersSharpness(sigma: Float) {
        let s = Fixtures.sample()
        let blurred = Degradation.blur(sigma: sigma).apply(to: s)
        #expect(blurred.cues.sharpness < s.cues.sharpness / 2)
    }

    @Test("more blur, less sharpness")
    func blurIsMonotone() {
        let s = Fixtures.sample()
        let values = [Float(0.8), 1.6, 3.2].map { Degradation.blur(sigma: $0).apply(to: s).cues.sharpness }
        #expect(values[0] > values[1] && values[1] > values[2])
    }

    @Test("a darkened copy is darker, with more clipped-dark pixels")
    func darkening() {
        let s = Fixtures.sample()
        let dark = Degradation.lowLight(gain: 0.1, gamma: 1.5).apply(to: s).cues
        #expect(dark.brightness < s.cues.brightness / 4)
        #expect(dark.clippedDarkFraction > s.cues.clippedDarkFraction + 0.2)
        #expect(dark.contrast < s.cues.contrast)
    }

    @Test("an overexposed copy is brighter, with clipped-bright pixels")
    func overExposure() {
        let s = Fixtures.sample()
        let bright = Degradation.overExposure(gain: 3).apply(to: s).cues
        #expect(bright.brightness > s.cues.brightness + 60)
        #expect(bright.clippedBrightFraction > 0.5)
    }

    @Test("constant image: known mean, zero contrast and sharpness")
    func constantImage() throws {
        let image = try #require(PixelImage(width: 20, height: 10, format: .gray, pixels: [UInt8](repeating: 77, count: 200)))
        let c = QualityCues(alignedFace: image, landmarks: Fixtures.landmarks())
        #expect(c.brightness == 77)
        #expect(c.contrast == 0)
        #expect(c.sharpness == 0)
        #expect(c.clippedDarkFraction == 0 && c.clippedBrightFraction == 0)
        #expect(c.landmarkConfidence == 0)
    }

    @Test("half black, half white: exact clipped fractions, mean and contrast")
    func halfAndHalf() throws {
        let pixels = (0..<100).map { $0 < 50 ? UInt8(0) : UInt8(255) }
        let image = try #require(PixelImage(width: 10, height: 10, format: .gray, pixels: pixels))
        let c = QualityCues(alignedFace: image, landmarks: Fixtures.landmarks(), landmarkConfidence: 1.5)
        #expect(c.clippedDarkFraction == 0.5 && c.clippedBrightFraction == 0.5)
        #expect(abs(c.brightness - 127.5) < 1e-3)
        #expect(abs(c.contrast - 127.5) < 1e-3)
        #expect(c.landmarkConfidence == 1)  // clamped
    }

    @Test("a one-pixel checkerboard has Laplacian variance 1020^2")
    func checkerboardSharpness() throws {
        // Interior Laplacian of a 1-pixel checker of 0/255 is +-1020, mean 0 on a balanced grid.
        let n = 8
        let pixels = (0..<(n * n)).map { ((($0 % n) + ($0 / n)) % 2 == 0) ? UInt8(0) : UInt8(255) }
        let image = try #require(PixelImage(width: n, height: n, format: .gray, pixels: pixels))
        let c = QualityCues(alignedFace: image, landmarks: Fixtures.landmarks())
        #expect(abs(c.sharpness - 1020 * 1020) / (1020 * 1020) < 1e-3)
    }

    @Test("grey and RGB copies of a grey image give the same cues")
    func greyEqualsRGB() throws {
        let grey = Fixtures.face(format: .gray)
        let rgb = try #require(PixelImage(width: grey.width, height: grey.height, format: .rgb,
                                          pixels: grey.pixels.flatMap { [$0, $0, $0] }))
        let a = QualityCues(alignedFace: grey, landmarks: Fixtures.landmarks())
        let b = QualityCues(alignedFace: rgb, landmarks: Fixtures.landmarks())
        #expect(a == b)
    }

    @Test("face size is the source inter-ocular distance; downscaling shrinks it")
    func faceSize() {
        let s = Fixtures.sample()
        #expect(abs(s.cues.faceSizePx - 40) < 1e-4)
        #expect(abs(Degradation.downscale(factor: 0.25).apply(to: s).cues.faceSizePx - 10) < 1e-4)
    }

    @Test("noise raises the Laplacian variance")
    func noise() {
        let s = Fixtures.sample()
        #expect(Degradation.noise(sigma: 40).apply(to: s).cues.sharpness > 2 * s.cues.sharpness)
    }

    @Test("the values round trip, and scorer features have the documented width")
    func valuesRoundTrip() {
        let c = Fixtures.goodCues
        #expect(QualityCues(values: c.values) == c)
        #expect(QualityCues(values: [1, 2]) == nil)
        #expect(c.scorerFeatures.count == QualityCues.featureCount)
    }
}

@Suite("QualityCues+EmbeddingNorm")
struct EmbeddingNormTests {
    @Test("raw embeddings are normalised in place and their norms recorded")
    func attach() throws {
        var cues = [Fixtures.goodCues, Fixtures.goodCues]
        var e: [Float] = [3, 4, 0, 0]
        try QualityCues.attachEmbeddingNorms(&cues, normalising: &e, dimensions: 2)
        #expect(e == [0.6, 0.8, 0, 0])
        #expect(cues[0].embeddingNorm == 5 && cues[1].embeddingNorm == 0)
        #expect(throws: GateError.self) { try QualityCues.attachEmbeddingNorms(&cues, normalising: &e, dimensions: 3) }
    }
}
