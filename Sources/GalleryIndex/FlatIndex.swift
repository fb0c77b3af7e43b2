/// Exact brute-force index: the oracle every other index is tested against.
///
/// Vectors (padded with zeros to a multiple of 8 floats) are stored in interleaved blocks of 8
/// rows (`InterleavedRows`): a single query streams the buffer once, computing 8 squared
/// distances per SIMD instruction, and keeps the top k per-identity minima. A batch is a
/// register-blocked query x gallery product over cache-sized gallery chunks, using
/// |q - x|^2 = |q|^2 + |x|^2 - 2 q.x with stored squared norms. Value type (copy-on-write).
public struct FlatIndex: VectorIndex {
    /// Length of every vector.
    public let dimension: Int
    let stride: Int
    var rows: InterleavedRows
    var norms: [Float] = []
    var table = RowTable()

    /// Creates an empty index for `dimension`-long vectors.
    /// - Throws: `.invalidArgument` when `dimension < 1`.
    public init(dimension: Int) throws(GalleryError) {
        guard dimension >= 1 else { throw GalleryError(.invalidArgument, "dimension must be >= 1, got \(dimension)") }
        self.dimension = dimension
        self.stride = paddedLength(dimension)
        self.rows = InterleavedRows(width: stride)
    }

    /// Builds an index from many vectors at once (row-major `faces.count x dimension`), with
    /// storage sized exactly (no growth slack).
    /// - Throws: as `add`, and `.invalidArgument` when the id arrays and vectors disagree.
    public init(dimension: Int, vectors: [Float], faces: [FaceID], identities: [IdentityID]) throws(GalleryError) {
        try self.init(dimension: dimension)
        guard faces.count == identities.count, vectors.count == faces.count * dimension else {
            throw GalleryError(.invalidArgument, "\(vectors.count) floats for \(faces.count) faces of dimension \(dimension)")
        }
        rows.reserve(rows: faces.count)
        table.reserve(rows: faces.count)
        norms.reserveCapacity(faces.count)
        for r in 0..<faces.count { try add(Array(vectors[r * dimension ..< (r + 1) * dimension]), face: faces[r], identity: identities[r]) }
    }

    /// Number of faces held.
    public var count: Int { table.rowCount }
    /// Number of identities with at least one face.
    public var identityCount: Int { table.identityCount }
    /// Heap bytes for vectors, norms and ids.
    public var memoryBytes: Int { rows.memoryBytes + norms.capacity * 4 + table.memoryBytes }

    /// Adds one face embedding to an identity.
    public mutating func add(_ vector: [Float], face: FaceID, identity: IdentityID) throws(GalleryError) {
        try checkVector(vector, dimension: dimension)
        try table.append(face: face, identity: identity)
        let x = padded(vector)
        x.withUnsafeBufferPointer { rows.append($0.baseAddress!) }
        var n: Float = 0
        for v in vector { n += v * v }
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
        let rs = table.rows(of: identity)
        for r in rs { removeRow(r) }
        return rs.count
    }

    private mutating func removeRow(_ row: Int) {
        let moved = table.remove(row: row)
        rows.removeSwappingLast(row)
        norms[row] = norms[moved]
        norms.removeLast()
    }

    func padded(_ q: [Float]) -> [Float] {
        stride == dimension ? q : q + [Float](repeating: 0, count: stride - dimension)
    }

    func candidates(_ top: DistinctTopK) -> [Candidate] {
        top.items.map { Candidate(identity: $0.identity, face: table.faceOfRow[Int($0.row)], distance: max($0.distance, 0).squareRoot()) }
    }

    /// The `topK` nearest identities (nearest face per identity), nearest first.
    public func search(_ query: [Float], topK: Int) throws(GalleryError) -> [Candidate] {
        try checkVector(query, dimension: dimension)
        try checkTopK(topK)
        let n = table.rowCount
        if n == 0 { return [] }
        let q = padded(query)
        var dist = [Float](repeating: 0, count: rows.blockCount * 8)
        q.withUnsafeBufferPointer { qb in
            dist.withUnsafeMutableBufferPointer { rows.squaredDistances(to: qb.baseAddress!, into: $0.baseAddress!) }
        }
        var top = DistinctTopK(topK)
        let slots = table.slotOfRow, ids = table.identityOfSlot
        for r in 0..<n where dist[r] <= top.worst {
            top.offer(dist[r], identity: ids[Int(slots[r])], row: Int32(r))
        }
        return candidates(top)
    }

    /// Batch search as one blocked query x gallery product plus per-identity minima.
    /// Distances equal `search(_:topK:)`'s up to float rounding (norm expansion).
    public func search(batch queries: [Float], topK: Int) throws(GalleryError) -> [[Candidate]] {
        let nq = try batchRowCount(queries.count, dimension: dimension)
        try checkTopK(topK)
        for x in queries where !x.isFinite { throw GalleryError(.nonFiniteVector, "query holds a NaN or infinite component") }
        let n = table.rowCount
        if n == 0 { return Array(repeating: [], count: nq) }
        let stride = self.stride
        var q = [Float](repeating: 0, count: nq * stride)
        var qn = [Float](repeating: 0, count: nq)
        for i in 0..<nq {
            for j in 0..<dimension {
                let x = queries[i * dimension + j]
                q[i * stride + j] = x
                qn[i] += x * x
            }
        }
        var tops = (0..<nq).map { _ in DistinctTopK(topK) }
        let slots = table.slotOfRow, ids = table.identityOfSlot
        let norms = self.norms + [Float](repeating: 0, count: rows.blockCount * 8 - n)
        // Gallery chunks of ~128 KiB stay in L2 while every query passes over them.
        let chunk = max(2, (128 * 1024) / (stride * 8 * 4))
        let ldt = chunk * 8
        var tile = [Float](repeating: 0, count: nq * ldt)
        q.withUnsafeBufferPointer { qb in
            tile.withUnsafeMutableBufferPointer { tb in
                norms.withUnsafeBufferPointer { nb in
                    var b0 = 0
                    while b0 < rows.blockCount {
                        let b1 = min(rows.blockCount, b0 + chunk)
                        rows.dots(queries: qb.baseAddress!, count: nq, ldq: stride, blocks: b0, b1, into: tb.baseAddress!, ldt: ldt)
                        for i in 0..<nq {
                            let qi = SIMD8<Float>(repeating: qn[i])
                            var worst = SIMD8<Float>(repeating: tops[i].worst)
                            for b in b0..<b1 {
                                let dv = qi + load8(nb.baseAddress!, b * 8) - 2 * load8(tb.baseAddress!, i * ldt + (b - b0) * 8)
                                guard any(dv .<= worst) else { continue }
                                for lane in 0..<8 where b * 8 + lane < n && dv[lane] <= tops[i].worst {
                                    let r = b * 8 + lane
                                    tops[i].offer(dv[lane], identity: ids[Int(slots[r])], row: Int32(r))
                                }
                                worst = SIMD8(repeating: tops[i].worst)
                            }
                        }
                        b0 = b1
                    }
                }
            }
        }
        return tops.map { candidates($0) }
    }
}
