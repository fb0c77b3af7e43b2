// Hot numeric loops on raw pointers. Every vector is padded with zeros to a multiple of 8
// floats (`paddedLength`), so the loops are pure SIMD8 (AVX2 + FMA, see Package.swift).

/// Rounds a dimension up to the SIMD width (8 floats).
@inline(__always)
func paddedLength(_ d: Int) -> Int { (d + 7) & ~7 }

@inline(__always)
func load8(_ p: UnsafePointer<Float>, _ i: Int) -> SIMD8<Float> {
    UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self)
}

/// Squared Euclidean distance over `n` floats (`n` a multiple of 8).
@inline(__always)
func squaredDistance(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
    var s0 = SIMD8<Float>(), s1 = SIMD8<Float>()
    var i = 0
    while i + 16 <= n {
        let d0 = load8(a, i) - load8(b, i)
        let d1 = load8(a, i + 8) - load8(b, i + 8)
        s0.addProduct(d0, d0)
        s1.addProduct(d1, d1)
        i += 16
    }
    if i < n {
        let d0 = load8(a, i) - load8(b, i)
        s0.addProduct(d0, d0)
    }
    return (s0 + s1).sum()
}

/// Dot product over `n` floats (`n` a multiple of 8).
@inline(__always)
func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
    var s0 = SIMD8<Float>(), s1 = SIMD8<Float>()
    var i = 0
    while i + 16 <= n {
        s0.addProduct(load8(a, i), load8(b, i))
        s1.addProduct(load8(a, i + 8), load8(b, i + 8))
        i += 16
    }
    if i < n { s0.addProduct(load8(a, i), load8(b, i)) }
    return (s0 + s1).sum()
}

/// C[i * ldc + j] = dot(A row i, B row j) for an m x k A and an n x k B (both row-major, row
/// strides `lda`/`ldb`, `k` a multiple of 8): the "NT" product used for batch search, PCA
/// covariance and projection. Register-blocked 4 x 2, cache-blocked over B.
func gemmNT(
    m: Int, n: Int, k: Int,
    a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    c: UnsafeMutablePointer<Float>, ldc: Int
) {
    // Keep a block of B rows (~128 KiB) hot in L2 while every A row passes over it.
    let bBlock = max(2, min(n, (32 * 1024) / max(k, 8)))
    var j0 = 0
    while j0 < n {
        let j1 = min(n, j0 + bBlock)
        var i = 0
        while i + 4 <= m {
            let a0 = a + i * lda, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda
            var j = j0
            while j + 2 <= j1 {
                let b0 = b + j * ldb, b1 = b0 + ldb
                var c00 = SIMD8<Float>(), c01 = SIMD8<Float>(), c10 = SIMD8<Float>(), c11 = SIMD8<Float>()
                var c20 = SIMD8<Float>(), c21 = SIMD8<Float>(), c30 = SIMD8<Float>(), c31 = SIMD8<Float>()
                var p = 0
                while p < k {
                    let x0 = load8(b0, p), x1 = load8(b1, p)
                    let y0 = load8(a0, p), y1 = load8(a1, p), y2 = load8(a2, p), y3 = load8(a3, p)
                    c00.addProduct(y0, x0); c01.addProduct(y0, x1)
                    c10.addProduct(y1, x0); c11.addProduct(y1, x1)
                    c20.addProduct(y2, x0); c21.addProduct(y2, x1)
                    c30.addProduct(y3, x0); c31.addProduct(y3, x1)
                    p += 8
                }
                c[i * ldc + j] = c00.sum(); c[i * ldc + j + 1] = c01.sum()
                c[(i + 1) * ldc + j] = c10.sum(); c[(i + 1) * ldc + j + 1] = c11.sum()
                c[(i + 2) * ldc + j] = c20.sum(); c[(i + 2) * ldc + j + 1] = c21.sum()
                c[(i + 3) * ldc + j] = c30.sum(); c[(i + 3) * ldc + j + 1] = c31.sum()
                j += 2
            }
            while j < j1 {
                let bj = b + j * ldb
                c[i * ldc + j] = dot(a0, bj, k); c[(i + 1) * ldc + j] = dot(a1, bj, k)
                c[(i + 2) * ldc + j] = dot(a2, bj, k); c[(i + 3) * ldc + j] = dot(a3, bj, k)
                j += 1
            }
            i += 4
        }
        while i < m {
            let ai = a + i * lda
            for j in j0..<j1 { c[i * ldc + j] = dot(ai, b + j * ldb, k) }
            i += 1
        }
        j0 = j1
    }
}

extension Array where Element == Float {
    /// Appends with a gentle growth policy (+1/16) so the vector store stays within ~1.1x of
    /// the raw bytes (the standard library doubles).
    @inline(__always)
    mutating func appendGrowing<S: Collection>(_ items: S) where S.Element == Float {
        if count + items.count > capacity {
            reserveCapacity(Swift.max(count + items.count, capacity + capacity / 16 + 1024))
        }
        append(contentsOf: items)
    }
}
