import Embedding
import Foundation
@testable import OODGate

/// Synthetic inputs shared by the gate's tests.
enum Fixtures {
    /// A textured mid-grey test face: smooth shading plus fine stripes and a checker, so blur,
    /// noise and exposure changes all move the cues measurably.
    static func face(size: Int = 112, format: PixelImage.Format = .rgb) -> PixelImage {
        var pixels: [UInt8] = []
        pixels.reserveCapacity(size * size * format.channels)
        for y in 0..<size {
            for x in 0..<size {
                let shade = 60 * sin(Float(x) / 9) * cos(Float(y) / 13)
                let stripes = 30 * sin(Float(x + 2 * y) / 1.7)
                let checker: Float = ((x / 4 + y / 4) % 2 == 0) ? 20 : -20
                let v = UInt8(max(0, min(255, 128 + shade + stripes + checker)))
                for c in 0..<format.channels { pixels.append(c == 0 ? v : UInt8(max(0, Int(v) - 10 * c))) }
            }
        }
        return PixelImage(width: size, height: size, format: format, pixels: pixels)!
    }

    /// Frontal landmarks with the given inter-ocular distance, centred at (100, 100).
    static func landmarks(iod: Float = 40, noseShift: Float = 0) -> FaceLandmarks {
        FaceLandmarks(leftEye: Point2(x: 100 - iod / 2, y: 100), rightEye: Point2(x: 100 + iod / 2, y: 100),
                      nose: Point2(x: 100 + noseShift, y: 100 + iod / 2),
                      leftMouth: Point2(x: 100 - iod / 3, y: 100 + iod), rightMouth: Point2(x: 100 + iod / 3, y: 100 + iod))
    }

    static func sample(size: Int = 112, format: PixelImage.Format = .rgb) -> FaceSample {
        FaceSample(alignedFace: face(size: size, format: format), landmarks: landmarks(), landmarkConfidence: 0.9)
    }

    /// Good cues (all limits comfortably passed).
    static let goodCues = QualityCues(faceSizePx: 40, sharpness: 300, brightness: 120, clippedDarkFraction: 0.01,
                                      clippedBrightFraction: 0.01, contrast: 45, rollDegrees: 2, yawProxy: 0.1,
                                      landmarkConfidence: 0.9, embeddingNorm: 20)

    /// Rotates landmarks by `degrees` about (100, 100).
    static func rotate(_ l: FaceLandmarks, degrees: Float) -> FaceLandmarks {
        let a = degrees * Float.pi / 180
        func r(_ p: Point2) -> Point2 {
            let dx = p.x - 100, dy = p.y - 100
            return Point2(x: 100 + dx * cos(a) - dy * sin(a), y: 100 + dx * sin(a) + dy * cos(a))
        }
        return FaceLandmarks(leftEye: r(l.leftEye), rightEye: r(l.rightEye), nose: r(l.nose),
                             leftMouth: r(l.leftMouth), rightMouth: r(l.rightMouth))
    }

    /// Random unit vectors clustered around `centres` identities: `perIdentity` rows each with
    /// noise `spread`, row-major.
    static func gallery(identities: Int, perIdentity: Int, dimensions: Int, spread: Float, seed: UInt64)
        -> (embeddings: [Float], identities: [Int], centres: [[Float]])
    {
        var g = SeededGenerator(seed: seed)
        let centres = (0..<identities).map { _ in normalise((0..<dimensions).map { _ in g.nextGaussian() }) }
        var rows: [Float] = []
        var ids: [Int] = []
        for (i, c) in centres.enumerated() {
            for _ in 0..<perIdentity {
                rows.append(contentsOf: normalise(c.map { $0 + spread * g.nextGaussian() / Float(dimensions).squareRoot() }))
                ids.append(i)
            }
        }
        return (rows, ids, centres)
    }

    static func normalise(_ v: [Float]) -> [Float] {
        let n = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return v.map { $0 / max(n, 1e-12) }
    }
}
