import Testing
@testable import GalleryIndex

@Suite struct PCABasisTests {
    static func randomSymmetric(_ n: Int, seed: UInt64) -> [Double] {
        var rng = SplitMix64(seed: seed)
        var a = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in i..<n { let x = rng.gaussian(); a[i * n + j] = x; a[j * n + i] = x } }
        return a
    }

    /// LAPACK dsyevd (the solver in use) against the Jacobi solver it replaced: same sorted
    /// eigenvalues, and the same eigenvectors up to sign (random matrices: distinct eigenvalues).
    @Test(arguments: [1, 2, 7, 40, 130])
    func lapackMatchesJacobi(n: Int) throws {
        let a = Self.randomSymmetric(n, seed: UInt64(n) &+ 100)
        let lapack = try #require(lapackEigen(a, n))
        let jacobi = jacobiEigen(a, n)
        let lo = (0..<n).sorted { lapack.values[$0] < lapack.values[$1] }
        let jo = (0..<n).sorted { jacobi.values[$0] < jacobi.values[$1] }
        for (i, j) in zip(lo, jo) {
            #expect(abs(lapack.values[i] - jacobi.values[j]) < 1e-9 * max(1, abs(jacobi.values[j])))
            var dotp = 0.0
            for k in 0..<n { dotp += lapack.vectors[i * n + k] * jacobi.vectors[j * n + k] }
            #expect(abs(abs(dotp) - 1) < 1e-7)
        }
    }

    @Test(arguments: [1, 2, 7, 40])
    func jacobiDecomposesSymmetricMatrices(n: Int) {
        let a = Self.randomSymmetric(n, seed: UInt64(n))
        for (values, vectors) in [jacobiEigen(a, n), symmetricEigen(a, n)] {
            for i in 0..<n {
                for j in 0..<n {
                    var dotp = 0.0
                    for k in 0..<n { dotp += vectors[i * n + k] * vectors[j * n + k] }
                    #expect(abs(dotp - (i == j ? 1 : 0)) < 1e-9)
                }
                // A v = lambda v
                for r in 0..<n {
                    var av = 0.0
                    for k in 0..<n { av += a[r * n + k] * vectors[i * n + k] }
                    #expect(abs(av - values[i] * vectors[i * n + r]) < 1e-8)
                }
            }
        }
    }

    @Test func rotationKeepsDistancesAndSortsVariance() {
        let d = 20
        let g = SyntheticGallery(identities: 100, facesPerIdentity: 3, dimension: d, spectrum: .dlib,
                                 noiseRatio: 0.5, queryCount: 0, seed: 3)
        let stride = paddedLength(d)
        var rows = [Float](repeating: 0, count: 300 * stride)
        for r in 0..<300 { for j in 0..<d { rows[r * stride + j] = g.vectors[r * d + j] } }
        let basis = rows.withUnsafeBufferPointer { PCABasis.fit(rows: $0, count: 300, dimension: d) }
        #expect(zip(basis.variances, basis.variances.dropFirst()).allSatisfy { $0 >= $1 })
        var y = [Float](repeating: 0, count: 300 * stride)
        rows.withUnsafeBufferPointer { rb in
            y.withUnsafeMutableBufferPointer { yb in basis.project(rows: rb.baseAddress!, count: 300, into: yb.baseAddress!) }
        }
        for (a, b) in [(0, 1), (5, 200), (17, 299)] {
            var dx: Float = 0, dy: Float = 0
            for j in 0..<stride {
                dx += (rows[a * stride + j] - rows[b * stride + j]) * (rows[a * stride + j] - rows[b * stride + j])
                dy += (y[a * stride + j] - y[b * stride + j]) * (y[a * stride + j] - y[b * stride + j])
            }
            #expect(abs(dx - dy) < 1e-5)
        }
        var back = [Float](repeating: 0, count: 300 * stride)
        y.withUnsafeBufferPointer { yb in
            back.withUnsafeMutableBufferPointer { bb in basis.reconstruct(rows: yb.baseAddress!, count: 300, into: bb.baseAddress!) }
        }
        #expect(zip(rows, back).allSatisfy { abs($0 - $1) < 1e-5 })
    }
}
