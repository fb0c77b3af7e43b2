import Embedding
import Foundation

/// The five facial landmarks the gate reads geometry from, in source-image pixel coordinates.
///
/// "Left" and "right" are as seen in the image (the subject's right eye is `leftEye`). The order
/// of `init(points:)` is the ArcFace/YuNet order, which is the same: image-left eye, image-right
/// eye, nose tip, image-left mouth corner, image-right mouth corner. A dlib 5-point predictor
/// gives eye corners instead; pass each eye's corner midpoint as the eye.
public struct FaceLandmarks: Sendable, Equatable {
    /// Centre of the eye nearer the image's left edge.
    public var leftEye: Point2
    /// Centre of the eye nearer the image's right edge.
    public var rightEye: Point2
    /// Nose tip (or the base of the nose for dlib's predictor).
    public var nose: Point2
    /// Mouth corner nearer the image's left edge.
    public var leftMouth: Point2
    /// Mouth corner nearer the image's right edge.
    public var rightMouth: Point2

    /// Creates landmarks from named points.
    public init(leftEye: Point2, rightEye: Point2, nose: Point2, leftMouth: Point2, rightMouth: Point2) {
        self.leftEye = leftEye
        self.rightEye = rightEye
        self.nose = nose
        self.leftMouth = leftMouth
        self.rightMouth = rightMouth
    }

    /// Creates landmarks from exactly five points in ArcFace order; nil for any other count.
    public init?(points: [Point2]) {
        guard points.count == 5 else { return nil }
        self.init(leftEye: points[0], rightEye: points[1], nose: points[2], leftMouth: points[3], rightMouth: points[4])
    }

    /// Creates landmarks from dlib's 5-point predictor output (two corners of one eye, two of
    /// the other, nose base): each eye centre is its corners' midpoint, ordered by x; the mouth
    /// corners, which dlib does not predict, are set to the nose. Nil for any other count.
    public init?(dlibPoints p: [Point2]) {
        guard p.count == 5 else { return nil }
        let a = Point2(x: (p[0].x + p[1].x) / 2, y: (p[0].y + p[1].y) / 2)
        let b = Point2(x: (p[2].x + p[3].x) / 2, y: (p[2].y + p[3].y) / 2)
        let (left, right) = a.x <= b.x ? (a, b) : (b, a)
        self.init(leftEye: left, rightEye: right, nose: p[4], leftMouth: p[4], rightMouth: p[4])
    }

    /// The five points in ArcFace order.
    public var points: [Point2] { [leftEye, rightEye, nose, leftMouth, rightMouth] }

    /// Distance between the eye centres, pixels.
    public var interOcularDistance: Float {
        let dx = rightEye.x - leftEye.x
        let dy = rightEye.y - leftEye.y
        return (dx * dx + dy * dy).squareRoot()
    }

    /// In-plane rotation of the eye line, degrees; positive when the image-right eye is lower.
    public var rollDegrees: Float {
        atan2f(rightEye.y - leftEye.y, rightEye.x - leftEye.x) * 180 / Float.pi
    }

    /// Horizontal nose offset from the eye midpoint along the eye line, in half inter-ocular
    /// distances, clamped to -1...1: 0 for a frontal face, positive when the nose is towards
    /// the image's right (the face turned towards image-right).
    public var yawProxy: Float {
        let iod = interOcularDistance
        guard iod > 1e-3 else { return 0 }
        let ux = (rightEye.x - leftEye.x) / iod
        let uy = (rightEye.y - leftEye.y) / iod
        let mx = (leftEye.x + rightEye.x) / 2
        let my = (leftEye.y + rightEye.y) / 2
        let along = (nose.x - mx) * ux + (nose.y - my) * uy
        return min(1, max(-1, along / (iod / 2)))
    }

    /// These landmarks scaled about the origin (for example after resizing the source image).
    public func scaled(by factor: Float) -> FaceLandmarks {
        func s(_ p: Point2) -> Point2 { Point2(x: p.x * factor, y: p.y * factor) }
        return FaceLandmarks(leftEye: s(leftEye), rightEye: s(rightEye), nose: s(nose),
                             leftMouth: s(leftMouth), rightMouth: s(rightMouth))
    }
}
