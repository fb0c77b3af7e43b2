#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A 2-D similarity (or general affine) transform `p -> M p + t`, computed in double.
public struct AffineTransform2D: Sendable, Equatable {
    /// Row-major 2x2 linear part: `[m00, m01, m10, m11]`.
    public var m: (Double, Double, Double, Double)
    /// Translation.
    public var t: (Double, Double)

    /// Creates a transform from its parts.
    public init(m: (Double, Double, Double, Double), t: (Double, Double)) {
        self.m = m
        self.t = t
    }

    /// Applies the transform.
    @inline(__always)
    public func apply(_ x: Double, _ y: Double) -> (Double, Double) {
        (m.0 * x + m.1 * y + t.0, m.2 * x + m.3 * y + t.1)
    }

    /// The least-squares similarity (rotation, uniform scale, translation; no reflection) that
    /// maps `from` onto `to` (Umeyama's method, as dlib's `find_similarity_transform`).
    /// Returns the identity-scaled translation for degenerate input (all `from` points equal).
    public static func similarity(from: [(Double, Double)], to: [(Double, Double)]) -> AffineTransform2D {
        let n = Double(min(from.count, to.count))
        guard n > 0 else { return AffineTransform2D(m: (1, 0, 0, 1), t: (0, 0)) }
        var mf = (0.0, 0.0), mt = (0.0, 0.0)
        for i in 0..<Int(n) {
            mf.0 += from[i].0; mf.1 += from[i].1
            mt.0 += to[i].0; mt.1 += to[i].1
        }
        mf = (mf.0 / n, mf.1 / n)
        mt = (mt.0 / n, mt.1 / n)
        var sigma = 0.0, a = 0.0, b = 0.0
        for i in 0..<Int(n) {
            let fx = from[i].0 - mf.0, fy = from[i].1 - mf.1
            let tx = to[i].0 - mt.0, ty = to[i].1 - mt.1
            sigma += fx * fx + fy * fy
            a += fx * tx + fy * ty
            b += fx * ty - fy * tx
        }
        // The best proper rotation maximises a cos + b sin; scale = sqrt(a^2+b^2) / sigma.
        let (sc, ss) = sigma > 0 ? (a / sigma, b / sigma) : (1.0, 0.0)
        let m = (sc, -ss, ss, sc)
        let t = (mt.0 - (m.0 * mf.0 + m.1 * mf.1), mt.1 - (m.2 * mf.0 + m.3 * mf.1))
        return AffineTransform2D(m: m, t: t)
    }

    /// The affine map sending three points exactly onto three others (nil if collinear).
    public static func affine(from: [(Double, Double)], to: [(Double, Double)]) -> AffineTransform2D? {
        guard from.count == 3, to.count == 3 else { return nil }
        let (x0, y0) = from[0], (x1, y1) = from[1], (x2, y2) = from[2]
        let det = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0)
        guard det != 0 else { return nil }
        // Solve for each output coordinate: u = a x + b y + c.
        func solve(_ u0: Double, _ u1: Double, _ u2: Double) -> (Double, Double, Double) {
            let a = ((u1 - u0) * (y2 - y0) - (u2 - u0) * (y1 - y0)) / det
            let b = ((x1 - x0) * (u2 - u0) - (x2 - x0) * (u1 - u0)) / det
            return (a, b, u0 - a * x0 - b * y0)
        }
        let rx = solve(to[0].0, to[1].0, to[2].0)
        let ry = solve(to[0].1, to[1].1, to[2].1)
        return AffineTransform2D(m: (rx.0, rx.1, ry.0, ry.1), t: (rx.2, ry.2))
    }

    /// The inverse transform (nil when singular).
    public func inverted() -> AffineTransform2D? {
        let det = m.0 * m.3 - m.1 * m.2
        guard det != 0 else { return nil }
        let im = (m.3 / det, -m.1 / det, -m.2 / det, m.0 / det)
        return AffineTransform2D(m: im, t: (-(im.0 * t.0 + im.1 * t.1), -(im.2 * t.0 + im.3 * t.1)))
    }

    /// Field-wise equality (tuples are not Equatable).
    public static func == (lhs: AffineTransform2D, rhs: AffineTransform2D) -> Bool {
        lhs.m == rhs.m && lhs.t == rhs.t
    }
}
