import Foundation

/// How typical an embedding is of the in-distribution faces it was fitted on: two scorer
/// inputs computed from the embedding alone.
///
/// - `log(1 + Mahalanobis²)` under a Gaussian fitted to the training part's in-distribution
///   originals (covariance shrunk towards its mean variance, so it stays invertible with few
///   faces): the classic feature-space OOD distance.
/// - the cosine between the embedding and the in-distribution mean: faces with little identity
///   information collapse towards the mean face, where identities crowd together.
///
/// Both are functions of the embedding the MLP already sees, but the second is a fixed
/// direction and the first a quadratic form, which a 64-unit MLP does not learn from the few
/// dozen misclassification-labelled faces a folder yields; given explicitly they raised the
/// misclassified AUC on lfw-dev (docs/ood-gate.md, "Which features predict misclassification").
public struct EmbeddingTypicality: Sendable, Equatable {
    /// Number of scorer features this adds.
    public static let featureCount = 2
    /// Names of the features, in order (for reports).
    public static let featureNames = ["log Mahalanobis^2", "cosine to ID mean"]
    /// Default shrinkage of the covariance towards `trace / d * I`.
    public static let defaultShrinkage: Float = 0.1

    /// In-distribution mean embedding.
    public var mean: [Float]
    /// Inverse of the shrunk covariance, row-major `d x d`.
    public var precision: [Float]

    /// Embedding width.
    public var dimensions: Int { mean.count }

    /// Creates typicality from stored values; throws `dimensionMismatch` unless
    /// `precision.count == mean.count²`.
    public init(mean: [Float], precision: [Float]) throws(GateError) {
        guard !mean.isEmpty, precision.count == mean.count * mean.count else {
            throw GateError(.dimensionMismatch, "typicality: \(mean.count) means and \(precision.count) precision values")
        }
        self.mean = mean
        self.precision = precision
    }

    /// Fits mean and shrunk precision on `rows` (row-major, `dimensions` wide).
    ///
    /// Throws `insufficientData` for fewer than 2 rows, `dimensionMismatch` for a ragged matrix.
    public init(fitting rows: [Float], dimensions d: Int, shrinkage: Float = EmbeddingTypicality.defaultShrinkage) throws(GateError) {
        guard d > 0, rows.count % d == 0 else {
            throw GateError(.dimensionMismatch, "typicality: \(rows.count) values are not rows of \(d)")
        }
        let n = rows.count / d
        guard n >= 2 else { throw GateError(.insufficientData, "typicality needs at least 2 in-distribution faces, got \(n)") }
        var mean = [Double](repeating: 0, count: d)
        for r in 0..<n { for j in 0..<d { mean[j] += Double(rows[r * d + j]) } }
        for j in 0..<d { mean[j] /= Double(n) }
        var cov = [Double](repeating: 0, count: d * d)
        var centred = [Double](repeating: 0, count: d)
        for r in 0..<n {
            for j in 0..<d { centred[j] = Double(rows[r * d + j]) - mean[j] }
            for a in 0..<d {
                let ca = centred[a]
                for b in a..<d { cov[a * d + b] += ca * centred[b] }
            }
        }
        var trace = 0.0
        for a in 0..<d {
            for b in a..<d {
                cov[a * d + b] /= Double(n - 1)
                cov[b * d + a] = cov[a * d + b]
            }
            trace += cov[a * d + a]
        }
        let lambda = Double(min(max(shrinkage, 0), 1))
        let floor = max(trace / Double(d), 1e-12)
        for a in 0..<d {
            for b in 0..<d { cov[a * d + b] *= 1 - lambda }
            cov[a * d + a] += lambda * floor
        }
        guard let inverse = Self.invertSymmetricPositiveDefinite(cov, dimensions: d) else {
            throw GateError(.insufficientData, "typicality: the covariance of \(n) faces is singular; use a shrinkage > 0")
        }
        self.mean = mean.map { Float($0) }
        self.precision = inverse.map { Float($0) }
    }

    /// The scorer features of one embedding: `[log(1 + Mahalanobis²), cosine to the mean]`.
    public func features(of e: ArraySlice<Float>) -> [Float] {
        let d = dimensions
        var centred = [Float](repeating: 0, count: d)
        var dot: Float = 0, norm: Float = 0, meanNorm: Float = 0
        for (j, v) in e.enumerated() where j < d {
            centred[j] = v - mean[j]
            dot += v * mean[j]
            norm += v * v
            meanNorm += mean[j] * mean[j]
        }
        var quad: Float = 0
        precision.withUnsafeBufferPointer { p in
            for a in 0..<d {
                var acc: Float = 0
                let row = a * d
                for b in 0..<d { acc += p[row + b] * centred[b] }
                quad += centred[a] * acc
            }
        }
        let denominator = (norm * meanNorm).squareRoot()
        return [logf(1 + max(0, quad)), denominator > 0 ? dot / denominator : 0]
    }

    /// Cholesky-based inverse of a symmetric positive definite matrix; nil when it is not
    /// (numerically) positive definite.
    static func invertSymmetricPositiveDefinite(_ m: [Double], dimensions d: Int) -> [Double]? {
        var l = [Double](repeating: 0, count: d * d)
        // Pivots this small relative to the largest diagonal entry mean "singular", not "huge precision".
        let tiny = 1e-12 * (0..<d).map { m[$0 * d + $0] }.reduce(0, max)
        for i in 0..<d {
            for j in 0...i {
                var s = m[i * d + j]
                for k in 0..<j { s -= l[i * d + k] * l[j * d + k] }
                if i == j {
                    guard s > tiny, s > 0 else { return nil }
                    l[i * d + i] = s.squareRoot()
                } else {
                    l[i * d + j] = s / l[j * d + j]
                }
            }
        }
        // inv(L) (lower triangular), then inv(M) = inv(L)^T inv(L).
        var li = [Double](repeating: 0, count: d * d)
        for i in 0..<d {
            li[i * d + i] = 1 / l[i * d + i]
            for j in 0..<i {
                var s = 0.0
                for k in j..<i { s -= l[i * d + k] * li[k * d + j] }
                li[i * d + j] = s / l[i * d + i]
            }
        }
        var inv = [Double](repeating: 0, count: d * d)
        for a in 0..<d {
            for b in a..<d {
                var s = 0.0
                for k in b..<d { s += li[k * d + a] * li[k * d + b] }
                inv[a * d + b] = s
                inv[b * d + a] = s
            }
        }
        return inv
    }
}
