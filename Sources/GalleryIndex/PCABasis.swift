import CGalleryLapack
#if canImport(Glibc)
import Glibc
#endif

/// An orthonormal PCA rotation of the embedding space: a mean and all `dimension` components.
///
/// Because the rotation is full and orthonormal, distances over all rotated components equal
/// distances in the original space; ordering components by decreasing variance is what lets
/// `SequentialIndex` prune on the first few. Components are the eigenvectors of the sample
/// covariance, found by LAPACK's divide-and-conquer solver (`dsyevd`, OpenBLAS) in Double
/// precision; the cyclic Jacobi solver below is kept as the fallback and as the test oracle.
/// The fit runs off the search path, in a background refit; `facegate bench index` prints its time.
struct PCABasis: Sendable {
    let dimension: Int
    let stride: Int
    /// Mean of the fitted sample, padded to `stride`.
    var mean: [Float]
    /// `stride x stride` row-major; row j is component j (rows >= dimension are zero).
    var components: [Float]
    /// Variances along the components, descending.
    var variances: [Double]
    /// Number of rows the basis was fitted on (0 for the identity basis).
    var fittedRows: Int

    /// The identity rotation with zero mean (used until enough rows exist to fit).
    static func identity(dimension: Int) -> PCABasis {
        let stride = paddedLength(dimension)
        var comps = [Float](repeating: 0, count: stride * stride)
        for j in 0..<dimension { comps[j * stride + j] = 1 }
        return PCABasis(dimension: dimension, stride: stride, mean: [Float](repeating: 0, count: stride),
                        components: comps, variances: [Double](repeating: 0, count: dimension), fittedRows: 0)
    }

    /// Fits mean and components to `rows` padded vectors (row-major, `stride` apart).
    static func fit(rows: UnsafeBufferPointer<Float>, count m: Int, dimension d: Int) -> PCABasis {
        let stride = paddedLength(d)
        guard m >= 2 else { return identity(dimension: d) }
        var meanD = [Double](repeating: 0, count: stride)
        for r in 0..<m { for j in 0..<d { meanD[j] += Double(rows[r * stride + j]) } }
        for j in 0..<d { meanD[j] /= Double(m) }
        let mean = meanD.map { Float($0) }
        // Centered sample, transposed (dimension-major) so the covariance is one NT product.
        let mp = paddedLength(m)
        var xt = [Float](repeating: 0, count: stride * mp)
        for r in 0..<m { for j in 0..<d { xt[j * mp + r] = rows[r * stride + j] - mean[j] } }
        var cov = [Float](repeating: 0, count: stride * stride)
        xt.withUnsafeBufferPointer { xb in
            cov.withUnsafeMutableBufferPointer { cb in
                gemmNT(m: stride, n: stride, k: mp, a: xb.baseAddress!, lda: mp, b: xb.baseAddress!, ldb: mp,
                       c: cb.baseAddress!, ldc: stride)
            }
        }
        var a = [Double](repeating: 0, count: d * d)
        for i in 0..<d { for j in 0..<d { a[i * d + j] = Double(cov[i * stride + j] + cov[j * stride + i]) / Double(2 * (m - 1)) } }
        let (values, vectors) = symmetricEigen(a, d)
        let order = (0..<d).sorted { values[$0] > values[$1] }
        var comps = [Float](repeating: 0, count: stride * stride)
        for (rank, src) in order.enumerated() {
            for k in 0..<d { comps[rank * stride + k] = Float(vectors[src * d + k]) }
        }
        return PCABasis(dimension: d, stride: stride, mean: mean, components: comps,
                        variances: order.map { max(values[$0], 0) }, fittedRows: m)
    }

    /// Rotates one padded vector: y_j = component_j . (x - mean).
    func project(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>) {
        var c = [Float](repeating: 0, count: stride)
        for j in 0..<stride { c[j] = x[j] - mean[j] }
        c.withUnsafeBufferPointer { cb in
            components.withUnsafeBufferPointer { pb in
                for j in 0..<stride { y[j] = dot(cb.baseAddress!, pb.baseAddress! + j * stride, stride) }
            }
        }
    }

    /// Rotates `m` padded rows at once (`gemmNT`), writing `m x stride` rotated rows to `out`.
    func project(rows: UnsafePointer<Float>, count m: Int, into out: UnsafeMutablePointer<Float>) {
        let chunk = 1024
        var centered = [Float](repeating: 0, count: chunk * stride)
        var r0 = 0
        while r0 < m {
            let rn = min(chunk, m - r0)
            for r in 0..<rn { for j in 0..<stride { centered[r * stride + j] = rows[(r0 + r) * stride + j] - mean[j] } }
            centered.withUnsafeBufferPointer { cb in
                components.withUnsafeBufferPointer { pb in
                    gemmNT(m: rn, n: stride, k: stride, a: cb.baseAddress!, lda: stride, b: pb.baseAddress!, ldb: stride,
                           c: out + r0 * stride, ldc: stride)
                }
            }
            r0 += rn
        }
    }

    /// Inverse rotation of `m` rotated rows back to the original space (x = mean + C^T y).
    func reconstruct(rows: UnsafePointer<Float>, count m: Int, into out: UnsafeMutablePointer<Float>) {
        var ct = [Float](repeating: 0, count: stride * stride)
        for i in 0..<stride { for j in 0..<stride { ct[j * stride + i] = components[i * stride + j] } }
        ct.withUnsafeBufferPointer { tb in
            gemmNT(m: m, n: stride, k: stride, a: rows, lda: stride, b: tb.baseAddress!, ldb: stride, c: out, ldc: stride)
        }
        for r in 0..<m { for j in 0..<dimension { out[r * stride + j] += mean[j] } }
    }
}

/// Eigen-decomposition of a symmetric `n x n` matrix (row-major) by LAPACK `dsyevd`, falling
/// back to `jacobiEigen` if LAPACK reports a failure. Returns eigenvalues and eigenvectors as
/// rows (`vectors[i * n ..< (i + 1) * n]` pairs with `values[i]`), in no promised order.
func symmetricEigen(_ input: [Double], _ n: Int) -> (values: [Double], vectors: [Double]) {
    if let r = lapackEigen(input, n) { return r }
    return jacobiEigen(input, n)
}

/// `dsyevd` through the C shim; nil when LAPACK reports an error (e.g. no convergence).
func lapackEigen(_ input: [Double], _ n: Int) -> (values: [Double], vectors: [Double])? {
    guard n >= 1, n <= Int(Int32.max) else { return nil }
    var a = input
    var w = [Double](repeating: 0, count: n)
    let info = a.withUnsafeMutableBufferPointer { ab in
        w.withUnsafeMutableBufferPointer { wb in fg_lapack_symmetric_eigen(Int32(n), ab.baseAddress!, wb.baseAddress!) }
    }
    return info == 0 ? (w, a) : nil
}

/// Eigen-decomposition of a symmetric `n x n` matrix (row-major) by cyclic Jacobi rotations.
/// Returns eigenvalues and eigenvectors as rows (`vectors[i * n ..< (i + 1) * n]` pairs with
/// `values[i]`), unsorted. O(n^3) per sweep, ~10 sweeps: seconds at n = 512.
func jacobiEigen(_ input: [Double], _ n: Int) -> (values: [Double], vectors: [Double]) {
    var a = input
    var v = [Double](repeating: 0, count: n * n)  // rows are eigenvectors
    for i in 0..<n { v[i * n + i] = 1 }
    if n == 1 { return ([a[0]], v) }
    var total = 0.0
    for x in a { total += x * x }
    a.withUnsafeMutableBufferPointer { a in
        v.withUnsafeMutableBufferPointer { v in
            for _ in 0..<60 {
                var off = 0.0
                for p in 0..<n { for q in (p + 1)..<n { off += a[p * n + q] * a[p * n + q] } }
                if off <= 1e-26 * total || off == 0 { break }
                for p in 0..<(n - 1) {
                    for q in (p + 1)..<n {
                        let apq = a[p * n + q]
                        if abs(apq) <= 1e-300 { continue }
                        let theta = (a[q * n + q] - a[p * n + p]) / (2 * apq)
                        let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                        let c = 1 / (t * t + 1).squareRoot(), s = t * c
                        // A <- A J (columns p, q), then A <- J^T A (rows p, q).
                        for k in 0..<n {
                            let akp = a[k * n + p], akq = a[k * n + q]
                            a[k * n + p] = c * akp - s * akq
                            a[k * n + q] = s * akp + c * akq
                        }
                        for k in 0..<n {
                            let apk = a[p * n + k], aqk = a[q * n + k]
                            a[p * n + k] = c * apk - s * aqk
                            a[q * n + k] = s * apk + c * aqk
                        }
                        a[p * n + q] = 0
                        a[q * n + p] = 0
                        // V^T <- J^T V^T keeps eigenvectors as rows.
                        for k in 0..<n {
                            let vp = v[p * n + k], vq = v[q * n + k]
                            v[p * n + k] = c * vp - s * vq
                            v[q * n + k] = s * vp + c * vq
                        }
                    }
                }
            }
        }
    }
    return ((0..<n).map { a[$0 * n + $0] }, v)
}

/// Seconds the eigen-solvers take on one random `dimension x dimension` covariance (a Wishart
/// sample from `2 x dimension` Gaussian rows): LAPACK `dsyevd` (in use) and the cyclic Jacobi
/// solver it replaced. For `facegate bench index --solver-times`; not used by the index.
public func pcaSolverSeconds(dimension d: Int, seed: UInt64 = 1) -> (lapack: Double, jacobi: Double) {
    guard d >= 1 else { return (0, 0) }
    var rng = SplitMix64(seed: seed)
    let m = 2 * d
    let x = (0..<(m * d)).map { _ in rng.gaussian() }
    var a = [Double](repeating: 0, count: d * d)
    for i in 0..<d {
        for j in i..<d {
            var s = 0.0
            for r in 0..<m { s += x[r * d + i] * x[r * d + j] }
            a[i * d + j] = s / Double(m - 1)
            a[j * d + i] = a[i * d + j]
        }
    }
    func seconds(_ body: () -> Void) -> Double {
        var t0 = timespec(), t1 = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t0)
        body()
        clock_gettime(CLOCK_MONOTONIC, &t1)
        return Double(t1.tv_sec - t0.tv_sec) + Double(t1.tv_nsec - t0.tv_nsec) * 1e-9
    }
    let lapack = seconds { _ = lapackEigen(a, d) }
    let jacobi = seconds { _ = jacobiEigen(a, d) }
    return (lapack, jacobi)
}
