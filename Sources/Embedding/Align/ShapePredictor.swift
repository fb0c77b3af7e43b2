import Foundation

/// dlib's cascaded-regression-tree landmark predictor (`shape_predictor_5_face_landmarks.dat`).
///
/// Given an image and a face box it returns dlib's landmarks (integer pixel positions, dlib's
/// order: right-eye outer/inner corner, left-eye outer/inner corner, nose base, "right"/"left"
/// meaning the image's right/left). Immutable; safe to share across threads.
public struct ShapePredictor: Sendable {
    /// One split node: `feature[a] - feature[b] > threshold` goes left.
    struct Split: Sendable {
        var a: Int32
        var b: Int32
        var threshold: Float
    }

    /// One cascade level.
    struct Cascade: Sendable {
        /// `trees * splitsPerTree` split nodes, tree-major.
        var splits: [Split]
        /// `trees * leavesPerTree * 2 * landmarks` leaf offsets, tree-major.
        var leaves: [Float]
        /// Landmark index each feature pixel is anchored to.
        var anchors: [Int32]
        /// Feature pixel offsets (dx, dy) in box-normalised coordinates, interleaved.
        var deltas: [Float]
        var treeCount: Int
    }

    /// The mean shape (x0, y0, x1, y1, ...) in box-normalised coordinates.
    let initialShape: [Float]
    let cascades: [Cascade]
    let splitsPerTree: Int
    /// Number of landmarks the model predicts.
    public var landmarkCount: Int { initialShape.count / 2 }

    /// Predicts landmarks inside `box` of `image` (grey as is; RGB via (R+G+B)/3 integer).
    public func predict(in image: PixelImage, box: FaceBox) -> [Point2] {
        let gray = image.grayByChannelMean()
        return predict(gray: gray, box: box)
    }

    /// Predicts landmarks on an already grey image (`gray.format == .gray`).
    public func predict(gray: PixelImage, box: FaceBox) -> [Point2] {
        let n = landmarkCount
        var current = initialShape
        let left = Double(box.left), top = Double(box.top)
        let sx = Double(box.right - box.left), sy = Double(box.bottom - box.top)
        let width = gray.width, height = gray.height
        var features: [Float] = []
        gray.pixels.withUnsafeBufferPointer { pixels in
            for cascade in cascades {
                let m = linearPart(from: initialShape, to: current)
                let featureCount = cascade.anchors.count
                if features.count != featureCount { features = [Float](repeating: 0, count: featureCount) }
                for j in 0..<featureCount {
                    let anchor = Int(cascade.anchors[j])
                    let dx = cascade.deltas[2 * j], dy = cascade.deltas[2 * j + 1]
                    let px = m.0 * dx + m.1 * dy + current[2 * anchor]
                    let py = m.2 * dx + m.3 * dy + current[2 * anchor + 1]
                    let x = Int((left + Double(px) * sx + 0.5).rounded(.down))
                    let y = Int((top + Double(py) * sy + 0.5).rounded(.down))
                    features[j] = (x >= 0 && y >= 0 && x < width && y < height) ? Float(pixels[y * width + x]) : 0
                }
                let leavesPerTree = splitsPerTree + 1
                let leafSize = 2 * n
                cascade.splits.withUnsafeBufferPointer { splits in
                    cascade.leaves.withUnsafeBufferPointer { leaves in
                        for tree in 0..<cascade.treeCount {
                            let base = tree * splitsPerTree
                            var i = 0
                            while i < splitsPerTree {
                                let s = splits[base + i]
                                i = features[Int(s.a)] - features[Int(s.b)] > s.threshold ? 2 * i + 1 : 2 * i + 2
                            }
                            let leaf = (tree * leavesPerTree + (i - splitsPerTree)) * leafSize
                            for k in 0..<leafSize { current[k] += leaves[leaf + k] }
                        }
                    }
                }
            }
        }
        return (0..<n).map { i in
            let x = (left + Double(current[2 * i]) * sx + 0.5).rounded(.down)
            let y = (top + Double(current[2 * i + 1]) * sy + 0.5).rounded(.down)
            return Point2(x: Float(x), y: Float(y))
        }
    }

    /// The 2x2 part of the similarity from `from` to `to`, computed in double, cast to float.
    private func linearPart(from: [Float], to: [Float]) -> (Float, Float, Float, Float) {
        let n = from.count / 2
        var a: [(Double, Double)] = [], b: [(Double, Double)] = []
        for i in 0..<n {
            a.append((Double(from[2 * i]), Double(from[2 * i + 1])))
            b.append((Double(to[2 * i]), Double(to[2 * i + 1])))
        }
        let m = AffineTransform2D.similarity(from: a, to: b).m
        return (Float(m.0), Float(m.1), Float(m.2), Float(m.3))
    }
}
