/// Rows stored in interleaved blocks of 8: block b holds rows 8b..8b+7, component-major
/// (`data[b * width * 8 + p * 8 + lane]`). One SIMD8 register then carries the same component
/// of 8 rows, so a full scan computes 8 distances per instruction with no horizontal sums.
/// Unused lanes of the last block are zero. Removal moves the last row into the hole.
struct InterleavedRows: Sendable {
    /// Floats per row (a multiple of 8).
    let width: Int
    private(set) var data: [Float] = []
    private(set) var rows = 0

    init(width: Int) {
        precondition(width % 8 == 0, "InterleavedRows width must be a multiple of 8")
        self.width = width
    }

    var blockCount: Int { (rows + 7) / 8 }
    var memoryBytes: Int { data.capacity * 4 }

    mutating func reserve(rows n: Int) { data.reserveCapacity(((n + 7) / 8) * width * 8) }

    /// Appends a row of `width` floats.
    mutating func append(_ row: UnsafePointer<Float>) {
        if rows % 8 == 0 { data.appendGrowing(repeatElement(0, count: width * 8)) }
        let base = (rows / 8) * width * 8 + rows % 8
        data.withUnsafeMutableBufferPointer { d in
            for p in 0..<width { d[base + p * 8] = row[p] }
        }
        rows += 1
    }

    /// Copies row `r` into `out` (`width` floats).
    func copyRow(_ r: Int, into out: UnsafeMutablePointer<Float>) {
        let base = (r / 8) * width * 8 + r % 8
        data.withUnsafeBufferPointer { d in for p in 0..<width { out[p] = d[base + p * 8] } }
    }

    /// Removes row `r` by moving the last row into it.
    mutating func removeSwappingLast(_ r: Int) {
        let last = rows - 1
        let w = width
        data.withUnsafeMutableBufferPointer { d in
            let dst = (r / 8) * w * 8 + r % 8, src = (last / 8) * w * 8 + last % 8
            for p in 0..<w {
                d[dst + p * 8] = d[src + p * 8]
                d[src + p * 8] = 0
            }
        }
        rows -= 1
        if rows % 8 == 0 { data.removeLast(width * 8) }
    }

    /// out[r] = |q - row r|^2 for every row (`out` holds `blockCount * 8` floats).
    func squaredDistances(to q: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>) {
        for b in 0..<blockCount {
            UnsafeMutableRawPointer(out + b * 8).storeBytes(of: squaredDistances(to: q, block: b), as: SIMD8<Float>.self)
        }
    }

    /// The 8 squared distances between `q` and the rows of block `b`.
    @inline(__always)
    func squaredDistances(to q: UnsafePointer<Float>, block b: Int) -> SIMD8<Float> {
        let w = width
        return data.withUnsafeBufferPointer { d in
            let blk = d.baseAddress! + b * w * 8
            var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
            var p = 0
            while p + 4 <= w {
                let d0 = SIMD8(repeating: q[p]) - load8(blk, p * 8)
                let d1 = SIMD8(repeating: q[p + 1]) - load8(blk, (p + 1) * 8)
                let d2 = SIMD8(repeating: q[p + 2]) - load8(blk, (p + 2) * 8)
                let d3 = SIMD8(repeating: q[p + 3]) - load8(blk, (p + 3) * 8)
                a0.addProduct(d0, d0); a1.addProduct(d1, d1); a2.addProduct(d2, d2); a3.addProduct(d3, d3)
                p += 4
            }
            return (a0 + a1) + (a2 + a3)
        }
    }

    /// Dot products of `m` queries (row-major, `ldq` apart) with the rows of blocks [b0, b1),
    /// written to `tile[i * ldt + (b - b0) * 8 + lane]`. Register-blocked 4 queries x 2 blocks
    /// with broadcast query components; no horizontal sums.
    func dots(queries q: UnsafePointer<Float>, count m: Int, ldq: Int, blocks b0: Int, _ b1: Int,
              into tile: UnsafeMutablePointer<Float>, ldt: Int) {
        let w = width
        data.withUnsafeBufferPointer { d in
            guard let base = d.baseAddress else { return }
            var b = b0
            while b < b1 {
                let pair = b + 1 < b1
                let x0 = base + b * w * 8, x1 = pair ? x0 + w * 8 : x0
                let col = (b - b0) * 8
                var i = 0
                while i < m {
                    let quad = min(4, m - i)
                    let q0 = q + i * ldq
                    let q1 = quad > 1 ? q0 + ldq : q0, q2 = quad > 2 ? q0 + 2 * ldq : q0, q3 = quad > 3 ? q0 + 3 * ldq : q0
                    var c00 = SIMD8<Float>(), c01 = SIMD8<Float>(), c10 = SIMD8<Float>(), c11 = SIMD8<Float>()
                    var c20 = SIMD8<Float>(), c21 = SIMD8<Float>(), c30 = SIMD8<Float>(), c31 = SIMD8<Float>()
                    for p in 0..<w {
                        let g0 = load8(x0, p * 8), g1 = load8(x1, p * 8)
                        let s0 = SIMD8(repeating: q0[p]), s1 = SIMD8(repeating: q1[p])
                        let s2 = SIMD8(repeating: q2[p]), s3 = SIMD8(repeating: q3[p])
                        c00.addProduct(s0, g0); c01.addProduct(s0, g1)
                        c10.addProduct(s1, g0); c11.addProduct(s1, g1)
                        c20.addProduct(s2, g0); c21.addProduct(s2, g1)
                        c30.addProduct(s3, g0); c31.addProduct(s3, g1)
                    }
                    let t = tile + i * ldt + col
                    store8(t, c00)
                    if pair { store8(t + 8, c01) }
                    if quad > 1 { store8(t + ldt, c10); if pair { store8(t + ldt + 8, c11) } }
                    if quad > 2 { store8(t + 2 * ldt, c20); if pair { store8(t + 2 * ldt + 8, c21) } }
                    if quad > 3 { store8(t + 3 * ldt, c30); if pair { store8(t + 3 * ldt + 8, c31) } }
                    i += quad
                }
                b += pair ? 2 : 1
            }
        }
    }
}

@inline(__always)
func store8(_ p: UnsafeMutablePointer<Float>, _ v: SIMD8<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
}

/// The k best (distance, identity) pairs with at most one entry per identity: the top k of
/// per-identity minima. Ties rank by ascending identity; within an identity the first row
/// offered at the minimum distance wins.
struct DistinctTopK {
    let k: Int
    private(set) var items: [(distance: Float, identity: IdentityID, row: Int32)] = []

    init(_ k: Int) {
        self.k = k
        items.reserveCapacity(k + 1)
    }

    /// Current k-th distance, or +infinity while fewer than k identities are kept.
    var worst: Float { items.count < k ? .infinity : items[items.count - 1].distance }

    @inline(__always)
    mutating func offer(_ distance: Float, identity: IdentityID, row: Int32) {
        if let j = items.firstIndex(where: { $0.identity == identity }) {
            guard distance < items[j].distance else { return }
            items.remove(at: j)
        } else if items.count == k {
            let w = items[k - 1]
            if distance > w.distance || (distance == w.distance && identity >= w.identity) { return }
            items.removeLast()
        }
        var pos = items.count
        while pos > 0 {
            let p = items[pos - 1]
            if p.distance < distance || (p.distance == distance && p.identity < identity) { break }
            pos -= 1
        }
        items.insert((distance, identity, row), at: pos)
    }
}
