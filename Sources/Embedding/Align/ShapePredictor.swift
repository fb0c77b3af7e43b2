import CImageCodecs
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
        /// The splits' feature pairs (a, b), interleaved: the layout the C kernel reads.
        var splitFeatures: [Int32]
        /// The splits' thresholds.
        var thresholds: [Float]
        /// `trees * leavesPerTree * 2 * landmarks` leaf offsets, tree-major.
        var leaves: [Float]
        /// Landmark index each feature pixel is anchored to.
        var anchors: [Int32]
        /// Feature pixel offsets (dx, dy) in box-normalised coordinates, interleaved.
        var deltas: [Float]
        var treeCount: Int

        init(splits: [Split], leaves: [Float], anchors: [Int32], deltas: [Float], treeCount: Int) {
            self.splits = splits
            splitFeatures = splits.flatMap { [$0.a, $0.b] }
            thresholds = splits.map(\.threshold)
            self.leaves = leaves
            self.anchors = anchors
            self.deltas = deltas
            self.treeCount = treeCount
        }
    }

    /// The mean shape (x0, y0, x1, y1, ...) in box-normalised coordinates.
    let initialShape: [Float]
    let cascades: [Cascade]
    let splitsPerTree: Int
    /// Number of landmarks the model predicts.
    public var landmarkCount: Int { initialShape.count / 2 }

    /// Predicts landmarks on a grey image, or an RGB one read as (R + G + B) / 3 (integer, dlib's
    /// intensity of an RGB pixel), computed only at the sampled feature points.
    public func predict(in image: PixelImage, box: FaceBox) -> [Point2] {
        predict(gray: image, box: box)
    }

    /// Predicts landmarks inside `box` (same as `predict(in:box:)`; kept for grey callers).
    public func predict(gray: PixelImage, box: FaceBox) -> [Point2] {
        let n = landmarkCount
        var current = initialShape
        let frame = [Double(box.left), Double(box.top), Double(box.right - box.left), Double(box.bottom - box.top)]
        let maxFeatures = cascades.reduce(0) { max($0, $1.anchors.count) }
        var features = [Float](repeating: 0, count: maxFeatures)
        for cascade in cascades {
            let l = linearPart(from: initialShape, to: current)
            let m = [l.0, l.1, l.2, l.3]
            fg_shape_cascade(gray.pixels, Int32(gray.width), Int32(gray.height), gray.format == .rgb ? 3 : 1,
                             frame, m, cascade.anchors, cascade.deltas, Int32(cascade.anchors.count), &features,
                             cascade.splitFeatures, cascade.thresholds, Int32(cascade.treeCount),
                             Int32(splitsPerTree), cascade.leaves, Int32(n), &current)
        }
        return points(current, box: box)
    }

    /// The same prediction in plain Swift: the reference the C kernel is tested against.
    func referencePredict(gray: PixelImage, box: FaceBox) -> [Point2] {
        let n = landmarkCount
        var current = initialShape
        let left = Double(box.left), top = Double(box.top)
        let sx = Double(box.right - box.left), sy = Double(box.bottom - box.top)
        let width = gray.width, height = gray.height
        let isRGB = gray.format == .rgb
        let maxFeatures = cascades.reduce(0) { max($0, $1.anchors.count) }
        var features = [Float](repeating: 0, count: maxFeatures)
        let leavesPerTree = splitsPerTree + 1
        let leafSize = 2 * n
        gray.pixels.withUnsafeBufferPointer { pixels in
            current.withUnsafeMutableBufferPointer { cur in
                features.withUnsafeMutableBufferPointer { feat in
                    for c in cascades.indices {
                        let m = linearPart(from: initialShape, to: Array(cur))
                        cascades[c].anchors.withUnsafeBufferPointer { anchors in
                            cascades[c].deltas.withUnsafeBufferPointer { deltas in
                                for j in 0..<anchors.count {
                                    let anchor = Int(anchors[j])
                                    let dx = deltas[2 * j], dy = deltas[2 * j + 1]
                                    let px = m.0 * dx + m.1 * dy + cur[2 * anchor]
                                    let py = m.2 * dx + m.3 * dy + cur[2 * anchor + 1]
                                    let x = (left + Double(px) * sx + 0.5).rounded(.down)
                                    let y = (top + Double(py) * sy + 0.5).rounded(.down)
                                    // Compared as doubles first: NaN or huge values never reach Int().
                                    if x >= 0 && y >= 0 && x < Double(width) && y < Double(height) {
                                        let i = Int(y) * width + Int(x)
                                        feat[j] = isRGB
                                            ? Float((UInt16(pixels[3 * i]) + UInt16(pixels[3 * i + 1]) + UInt16(pixels[3 * i + 2])) / 3)
                                            : Float(pixels[i])
                                    } else {
                                        feat[j] = 0
                                    }
                                }
                            }
                        }
                        let treeCount = cascades[c].treeCount
                        cascades[c].splits.withUnsafeBufferPointer { splits in
                            cascades[c].leaves.withUnsafeBufferPointer { leaves in
                                for tree in 0..<treeCount {
                                    let base = tree * splitsPerTree
                                    var i = 0
                                    while i < splitsPerTree {
                                        let s = splits[base + i]
                                        i = feat[Int(s.a)] - feat[Int(s.b)] > s.threshold ? 2 * i + 1 : 2 * i + 2
                                    }
                                    let leaf = (tree * leavesPerTree + (i - splitsPerTree)) * leafSize
                                    for k in 0..<leafSize { cur[k] += leaves[leaf + k] }
                                }
                            }
                        }
                    }
                }
            }
        }
        return points(current, box: box)
    }

    /// Box-normalised shape -> integer pixel positions (dlib rounds to the nearest pixel).
    private func points(_ current: [Float], box: FaceBox) -> [Point2] {
        let left = Double(box.left), top = Double(box.top)
        let sx = Double(box.right - box.left), sy = Double(box.bottom - box.top)
        return (0..<landmarkCount).map { i in
            let x = (left + Double(current[2 * i]) * sx + 0.5).rounded(.down)
            let y = (top + Double(current[2 * i + 1]) * sy + 0.5).rounded(.down)
            // Clamp absurd outputs (hostile model files) to a finite range.
            func finite(_ v: Double) -> Float { v.isFinite ? Float(max(-1e7, min(1e7, v))) : 0 }
            return Point2(x: finite(x), y: finite(y))
        }
    }

    /// The 2x2 part of the similarity from `from` to `to` (Umeyama, as dlib's
    /// `find_similarity_transform`), computed in double and cast to float.
    private func linearPart(from: [Float], to: [Float]) -> (Float, Float, Float, Float) {
        let n = from.count / 2
        var mfx = 0.0, mfy = 0.0, mtx = 0.0, mty = 0.0
        for i in 0..<n {
            mfx += Double(from[2 * i]); mfy += Double(from[2 * i + 1])
            mtx += Double(to[2 * i]); mty += Double(to[2 * i + 1])
        }
        let count = Double(n)
        mfx /= count; mfy /= count; mtx /= count; mty /= count
        var sigma = 0.0, a = 0.0, b = 0.0
        for i in 0..<n {
            let fx = Double(from[2 * i]) - mfx, fy = Double(from[2 * i + 1]) - mfy
            let tx = Double(to[2 * i]) - mtx, ty = Double(to[2 * i + 1]) - mty
            sigma += fx * fx + fy * fy
            a += fx * tx + fy * ty
            b += fx * ty - fy * tx
        }
        guard sigma > 0 else { return (1, 0, 0, 1) }
        let c = a / sigma, s = b / sigma
        return (Float(c), Float(-s), Float(s), Float(c))
    }
}
