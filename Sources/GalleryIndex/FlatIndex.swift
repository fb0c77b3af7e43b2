/// Exact brute-force index: the oracle every other index is tested against.
///
/// Vectors are stored row-major, each padded with zeros to a multiple of 8 floats, in one
/// contiguous buffer; a single query streams the buffer once with SIMD squared distances and
/// keeps each identity's minimum in a flat per-identity array. A batch of queries is a blocked
/// query x gallery product (`gemmNT`) on gallery blocks that stay in cache, using
/// |q - x|^2 = |q|^2 + |x|^2 - 2 q.x with stored squared norms. Value type (copy-on-write).
public struct FlatIndex: VectorIndex {
    /// Length of every vector.
    public let dimension: Int
    let stride: Int
    var data: [Float] = []
    var norms: [Float] = []
    var table = RowTable()

    /// Creates an empty index for `dimension`-long vectors.
    /// - Throws: `.invalidArgument` when `dimension < 1`.
    public init(dimension: Int) throws(GalleryError) {
        guard dimension >= 1 else { throw GalleryError(.invalidArgument, "dimension must be >= 1, got \(dimension)") }
        self.dimension = dimension
        self.stride = paddedLength(dimension)
    }

    /// Number of faces held.
    public var count: Int { table.rowCount }
    /// Number of identities with at least one face.
    public var identityCount: Int { table.identityCount }
    /// Heap bytes for vectors, norms and ids.
    public var memoryBytes: Int { data.capacity * 4 + norms.capacity * 4 + table.memoryBytes }

    /// Adds one face embedding to an identity.
    public mutating func add(_ vector: [Float], face: FaceID, identity: IdentityID) throws(GalleryError) {
        try checkVector(vector, dimension: dimension)
        try table.append(face: face, identity: identity)
        data.appendGrowing(vector)
        if stride > dimension { data.appendGrowing(repeatElement(0, count: stride - dimension)) }
        var n: Float = 0
        for x in vector { n += x * x }
        norms.append(n)
    }

    /// Removes one face; false when absent.
    @discardableResult
    public mutating func remove(face: FaceID) -> Bool {
        guard let row = table.row(of: face) else { return false }
        removeRow(row)
        return true
    }

    /// Removes every face of an identity.
    @discardableResult
    public mutating func remove(identity: IdentityID) -> Int {
        let rows = table.rows(of: identity)
        for r in rows { removeRow(r) }
        return rows.count
    }

    private mutating func removeRow(_ row: Int) {
        let moved = table.remove(row: row)
        if moved != row {
            for j in 0..<stride { data[row * stride + j] = data[moved * stride + j] }
            norms[row] = norms[moved]
        }
        data.removeLast(stride)
        norms.removeLast()
    }

    func padded(_ q: [Float]) -> [Float] {
        stride == dimension ? q : q + [Float](repeating: 0, count: stride - dimension)
    }

    /// The `topK` nearest identities (nearest face per identity), nearest first.
    public func search(_ query: [Float], topK: Int) throws(GalleryError) -> [Candidate] {
        try checkVector(query, dimension: dimension)
        try checkTopK(topK)
        let n = table.rowCount
        if n == 0 { return [] }
        let q = padded(query)
        var best = [Float](repeating: .infinity, count: table.slotCapacity)
        var bestRow = [Int32](repeating: -1, count: table.slotCapacity)
        let stride = self.stride
        q.withUnsafeBufferPointer { qb in
            data.withUnsafeBufferPointer { db in
                table.slotOfRow.withUnsafeBufferPointer { slots in
                    best.withUnsafeMutableBufferPointer { bm in
                        bestRow.withUnsafeMutableBufferPointer { br in
                            let qp = qb.baseAddress!, base = db.baseAddress!
                            for row in 0..<n {
                                let d = squaredDistance(qp, base + row * stride, stride)
                                let s = Int(slots[row])
                                if d < bm[s] { bm[s] = d; br[s] = Int32(row) }
                            }
                        }
                    }
                }
            }
        }
        return rank(best: best, bestRow: bestRow, topK: topK)
    }

    func rank(best: [Float], bestRow: [Int32], topK: Int) -> [Candidate] {
        var top = TopK(topK)
        for s in 0..<best.count where bestRow[s] >= 0 {
            let d = max(best[s], 0)
            if d <= top.worst {
                top.offer(distance: d, identity: table.identityOfSlot[s], face: table.faceOfRow[Int(bestRow[s])])
            }
        }
        return top.candidates(squared: true)
    }

    /// Batch search as one blocked query x gallery product plus a per-identity minimum.
    /// Distances equal `search(_:topK:)`'s up to float rounding (norm expansion).
    public func search(batch queries: [Float], topK: Int) throws(GalleryError) -> [[Candidate]] {
        let nq = try batchRowCount(queries.count, dimension: dimension)
        try checkTopK(topK)
        for x in queries where !x.isFinite { throw GalleryError(.nonFiniteVector, "query holds a NaN or infinite component") }
        let n = table.rowCount
        if n == 0 { return Array(repeating: [], count: nq) }
        let stride = self.stride, slots = table.slotCapacity
        var q = [Float](repeating: 0, count: nq * stride)
        var qn = [Float](repeating: 0, count: nq)
        for i in 0..<nq {
            for j in 0..<dimension {
                let x = queries[i * dimension + j]
                q[i * stride + j] = x
                qn[i] += x * x
            }
        }
        var best = [Float](repeating: .infinity, count: nq * slots)
        var bestRow = [Int32](repeating: -1, count: nq * slots)
        let block = 256
        var tile = [Float](repeating: 0, count: nq * block)
        q.withUnsafeBufferPointer { qb in
            data.withUnsafeBufferPointer { db in
                norms.withUnsafeBufferPointer { nb in
                    table.slotOfRow.withUnsafeBufferPointer { sb in
                        tile.withUnsafeMutableBufferPointer { tb in
                            best.withUnsafeMutableBufferPointer { bm in
                                bestRow.withUnsafeMutableBufferPointer { br in
                                    var r0 = 0
                                    while r0 < n {
                                        let rn = min(block, n - r0)
                                        gemmNT(m: nq, n: rn, k: stride,
                                               a: qb.baseAddress!, lda: stride,
                                               b: db.baseAddress! + r0 * stride, ldb: stride,
                                               c: tb.baseAddress!, ldc: block)
                                        for i in 0..<nq {
                                            let qi = qn[i], off = i * slots, trow = i * block
                                            for r in 0..<rn {
                                                let d = qi + nb[r0 + r] - 2 * tb[trow + r]
                                                let s = off + Int(sb[r0 + r])
                                                if d < bm[s] { bm[s] = d; br[s] = Int32(r0 + r) }
                                            }
                                        }
                                        r0 += rn
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        var out: [[Candidate]] = []
        out.reserveCapacity(nq)
        for i in 0..<nq {
            out.append(rank(best: Array(best[i * slots ..< (i + 1) * slots]),
                            bestRow: Array(bestRow[i * slots ..< (i + 1) * slots]), topK: topK))
        }
        return out
    }
}
