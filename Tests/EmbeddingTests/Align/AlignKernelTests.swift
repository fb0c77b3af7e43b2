import CImageCodecs
import Foundation
import Testing
@testable import Embedding

/// The C alignment kernels against the Swift references they replace: the same bytes and the
/// same landmarks, on random images, shapes, transforms and boxes (odd sizes, rotations,
/// samples outside the image).
@Suite("Alignment kernels")
struct AlignKernelTests {
    static func randomImage(width: Int, height: Int, format: PixelImage.Format, rng: inout SplitMix64) -> PixelImage {
        var image = PixelImage(width: width, height: height, format: format)
        for i in image.pixels.indices { image.pixels[i] = UInt8.random(in: 0...255, using: &rng) }
        return image
    }

    @Test("bilinear sampling: C (AVX2 and scalar) equals the Swift reference byte for byte")
    func bilinear() throws {
        var rng = SplitMix64(seed: 11)
        for round in 0..<60 {
            let source = Self.randomImage(width: Int.random(in: 2...97, using: &rng), height: Int.random(in: 2...83, using: &rng),
                                          format: .rgb, rng: &rng)
            let angle = Double.random(in: -3.2...3.2, using: &rng), scale = Double.random(in: 0.2...3, using: &rng)
            let map = AffineTransform2D(
                m: (scale * cos(angle), -scale * sin(angle), scale * sin(angle), scale * cos(angle)),
                t: (Double.random(in: -40...Double(source.width) + 40, using: &rng),
                    Double.random(in: -40...Double(source.height) + 40, using: &rng)))
            let size = Int.random(in: 1...64, using: &rng)
            var expected = PixelImage(width: size, height: size + round % 3, format: .rgb)
            var fast = expected, scalar = expected
            BilinearSampler.referenceSample(source, map: map, into: &expected)
            BilinearSampler.sample(source, map: map, into: &fast)
            let m = [map.m.0, map.m.1, map.m.2, map.m.3], t = [map.t.0, map.t.1]
            fg_bilinear_rgb_scalar(source.pixels, Int32(source.width), Int32(source.height), m, t, &scalar.pixels,
                                   Int32(scalar.width), Int32(scalar.height))
            #expect(fast == expected, "round \(round)")
            #expect(scalar == expected, "round \(round)")
        }
    }

    @Test("absurd transforms (NaN, huge) give black pixels in both")
    func bilinearHostile() {
        var rng = SplitMix64(seed: 12)
        let source = Self.randomImage(width: 9, height: 9, format: .rgb, rng: &rng)
        for map in [AffineTransform2D(m: (.nan, 0, 0, 1), t: (0, 0)), AffineTransform2D(m: (1e300, 0, 0, 1e300), t: (1e300, -1e300))] {
            var expected = PixelImage(width: 5, height: 5, format: .rgb)
            var fast = expected
            BilinearSampler.referenceSample(source, map: map, into: &expected)
            BilinearSampler.sample(source, map: map, into: &fast)
            #expect(fast == expected)
        }
    }

    @Test("pyramid_down<2>: C equals the Swift reference on odd and even sizes")
    func pyramid() throws {
        var rng = SplitMix64(seed: 13)
        for _ in 0..<40 {
            let image = Self.randomImage(width: Int.random(in: 9...131, using: &rng), height: Int.random(in: 9...120, using: &rng),
                                         format: .rgb, rng: &rng)
            let fast = try #require(ImagePyramid.down(image))
            let expected = try #require(ImagePyramid.referenceDown(image))
            #expect(fast == expected)
        }
    }

    @Test("shape predictor: C cascades give the Swift reference's landmarks (synthetic model)")
    func predictorSynthetic() throws {
        let predictor = try ShapePredictor.parse(SyntheticDlib.shapePredictor(), source: "tiny.dat")
        var rng = SplitMix64(seed: 14)
        for format in [PixelImage.Format.gray, .rgb] {
            for _ in 0..<30 {
                let image = Self.randomImage(width: Int.random(in: 20...90, using: &rng), height: Int.random(in: 20...90, using: &rng),
                                             format: format, rng: &rng)
                let left = Int.random(in: -10...15, using: &rng), top = Int.random(in: -10...15, using: &rng)
                let box = FaceBox(left: left, top: top, right: left + Int.random(in: 5...80, using: &rng),
                                  bottom: top + Int.random(in: 5...80, using: &rng))
                #expect(predictor.predict(gray: image, box: box) == predictor.referencePredict(gray: image, box: box))
            }
        }
    }

    @Test("shape predictor: C cascades give the Swift reference's landmarks (real model, test photos)",
          .enabled(if: TestPhotos.available() && TestPhotos.predictor != nil,
                   "SKIPPED: test photos or 5-point model missing; run scripts/fetch-test-data.sh"))
    func predictorReal() throws {
        let predictor = try #require(TestPhotos.predictor)
        var rng = SplitMix64(seed: 15)
        for file in DlibReferences.shared.images.map(\.file) {
            let image = try TestPhotos.image(file)
            for _ in 0..<4 {
                let side = Int.random(in: 40...min(image.width, image.height), using: &rng)
                let left = Int.random(in: -20...(image.width - side / 2), using: &rng)
                let top = Int.random(in: -20...(image.height - side / 2), using: &rng)
                let box = FaceBox(left: left, top: top, right: left + side, bottom: top + side)
                #expect(predictor.predict(in: image, box: box) == predictor.referencePredict(gray: image, box: box), "\(file)")
            }
        }
    }
}
