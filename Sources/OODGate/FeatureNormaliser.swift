/// Per-dimension z-scoring of the scorer's input vector `[embedding, cue features]`.
///
/// Fitted on the training split and stored in the gate file so inference sees exactly the
/// training-time scaling.
public struct FeatureNormaliser: Sendable, Equatable {
    /// Per-dimension mean.
    public var mean: [Float]
    /// Per-dimension reciprocal standard deviation (1 for constant dimensions).
    public var inverseStd: [Float]

    /// Creates a normaliser from stored values; `mean` and `inverseStd` must have equal counts.
    public init(mean: [Float], inverseStd: [Float]) {
        self.mean = mean
        self.inverseStd = inverseStd
    }

    /// Fits means and deviations on `rows` (row-major, `dimensions` wide).
    public init(fitting rows: [Float], dimensions: Int) {
        let n = rows.count / max(dimensions, 1)
        var mean = [Double](repeating: 0, count: dimensions)
        var sq = [Double](repeating: 0, count: dimensions)
        for r in 0..<n {
            for d in 0..<dimensions {
                let v = Double(rows[r * dimensions + d])
                mean[d] += v
                sq[d] += v * v
            }
        }
        var inv = [Float](repeating: 1, count: dimensions)
        for d in 0..<dimensions {
            mean[d] /= Double(max(n, 1))
            let variance = sq[d] / Double(max(n, 1)) - mean[d] * mean[d]
            inv[d] = variance > 1e-12 ? Float(1 / variance.squareRoot()) : 1
        }
        self.mean = mean.map { Float($0) }
        self.inverseStd = inv
    }

    /// Number of dimensions.
    public var dimensions: Int { mean.count }

    /// Normalises `rows` in place (row-major, `dimensions` wide).
    public func apply(to rows: inout [Float]) {
        let d = dimensions
        rows.withUnsafeMutableBufferPointer { p in
            var i = 0
            while i < p.count {
                for j in 0..<d { p[i + j] = (p[i + j] - mean[j]) * inverseStd[j] }
                i += d
            }
        }
    }
}
