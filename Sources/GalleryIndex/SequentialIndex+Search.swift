/// Work counters of one search, for benchmarks and tests.
public struct SearchWork: Sendable, Equatable {
    /// Floats of gallery data read (components x rows scored).
    public var componentsRead: Int = 0
    /// Floats a full scan would read (rows x padded dimension).
    public var fullScan: Int = 0
    /// `componentsRead / fullScan`.
    public var fraction: Double { fullScan == 0 ? 0 : Double(componentsRead) / Double(fullScan) }

    /// Zero counters.
    public init() {}
}

extension SequentialIndex {
    /// Rows of level 1 whose full distance is computed to seed the pruning bound.
    static let boundSeeds = 16

    /// The `topK` nearest identities, nearest first, under the configured pruning rule.
    public func search(_ query: [Float], topK: Int) throws(GalleryError) -> [Candidate] {
        var work = SearchWork()
        return try search(query, topK: topK, work: &work)
    }

    /// Searches several queries (row-major), one at a time: pruning is per query, and one core
    /// per query is what the service runs (DESIGN.md: FAISS-style threading loses here).
    public func search(batch queries: [Float], topK: Int) throws(GalleryError) -> [[Candidate]] {
        let rows = try batchRowCount(queries.count, dimension: dimension)
        var work = SearchWork()
        var out: [[Candidate]] = []
        out.reserveCapacity(rows)
        for r in 0..<rows {
            out.append(try search(Array(queries[r * dimension ..< (r + 1) * dimension]), topK: topK, work: &work))
        }
        return out
    }

    /// As `search(_:topK:)`, also reporting how much gallery data was read.
    public func search(_ query: [Float], topK: Int, work: inout SearchWork) throws(GalleryError) -> [Candidate] {
        try checkVector(query, dimension: dimension)
        try checkTopK(topK)
        let n = table.rowCount
        if n == 0 { return [] }
        var x = query
        if stride > dimension { x += [Float](repeating: 0, count: stride - dimension) }
        var y = [Float](repeating: 0, count: stride)
        x.withUnsafeBufferPointer { xb in
            y.withUnsafeMutableBufferPointer { yb in basis.project(xb.baseAddress!, into: yb.baseAddress!) }
        }
        work.fullScan += n * stride
        return y.withUnsafeBufferPointer { yb in
            searchRotated(yb.baseAddress!, topK: topK, work: &work)
        }
    }

    /// Level-wise search of a rotated query.
    ///
    /// Level 1 scores every row. The pruning bound is the k-th best identity distance among
    /// the full distances of the best rows of the leading identities on level 1 (an upper
    /// bound of the true k-th best). Each later level adds its band for the blocks of 8 rows
    /// that still hold a live row; a row dies (partial set to +infinity) once its partial
    /// squared distance exceeds the bound or, for `ratio`, delta^2 times the k-th best
    /// identity's partial squared distance. All sums run in the same order (the per-block
    /// SIMD kernel, level by level), so a row's bound and final distance are the same float.
    /// Between levels the exact rule also uses each row's tail-norm lower bound
    /// (`TailNorms`); `expectedRatio` ranks rows by their expected full distance.
    private func searchRotated(_ y: UnsafePointer<Float>, topK: Int, work: inout SearchWork) -> [Candidate] {
        let n = table.rowCount
        let slots = table.slotOfRow, ids = table.identityOfSlot
        let blocks = levels[0].blockCount
        var partial = [Float](repeating: 0, count: blocks * 8)
        partial.withUnsafeMutableBufferPointer { levels[0].squaredDistances(to: y, into: $0.baseAddress!) }
        for r in n..<(blocks * 8) { partial[r] = .infinity }
        work.componentsRead += n * levels[0].width

        // Seed the bound with the full distances of the leading rows of level 1.
        var bound = Float.infinity
        if bands.count > 1 {
            var lead = DistinctTopK(max(topK, Self.boundSeeds))
            for r in 0..<n where partial[r] <= lead.worst {
                lead.offer(partial[r], identity: ids[Int(slots[r])], row: Int32(r))
            }
            var full = DistinctTopK(topK)
            for item in lead.items {
                let r = Int(item.row)
                var d = partial[r]
                for l in 1..<bands.count { d += levels[l].squaredDistances(to: y + bands[l].start, block: r / 8)[r % 8] }
                full.offer(d, identity: item.identity, row: item.row)
            }
            work.componentsRead += lead.items.count * 8 * (stride - levels[0].width)
            bound = full.worst
        }
        let ratio2: Float? = config.pruning.delta.map { $0 * $0 }
        let expected: Bool = { if case .expectedRatio = config.pruning { return true } else { return false } }()
        let qTails = TailNorms.tails(y, ends: bandEnds, stride: stride)
        // Tail norms and the later levels' sums are rounded floats; keep the exact rule's lower
        // bound below the computed full distance: the rounding of a sum of up to 256 squares
        // is far below 1e-4 of (tq^2 + tx^2) >= (tq + tx)^2 / 2 >= the remaining distance / 2.
        let slackFactor: Float = 1e-4

        var alive = (0..<Int32(blocks)).map { $0 }
        for l in 0..<bands.count {
            if l > 0 {
                let yl = y + bands[l].start
                partial.withUnsafeMutableBufferPointer { pb in
                    for b in alive {
                        let p = pb.baseAddress! + Int(b) * 8
                        let v = load8(p, 0) + levels[l].squaredDistances(to: yl, block: Int(b))
                        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
                    }
                }
                work.componentsRead += alive.count * 8 * levels[l].width
            }
            if l == bands.count - 1 { break }
            let tq = qTails[l], tq2 = tq * tq
            // Rule value of each live row: its partial (seed's ratio) or its expected full
            // squared distance (expected ratio); the ratio cut is delta^2 x the k-th best.
            @inline(__always) func ruleValue(_ v: SIMD8<Float>, block b: Int) -> SIMD8<Float> {
                guard expected else { return v }
                let tx = tails.norms(block: b, level: l)
                return v + (SIMD8(repeating: tq2) + tx * tx)
            }
            var ratioCut = Float.infinity
            if let ratio2 {
                var lead = DistinctTopK(topK)
                for b in alive {
                    let bi = Int(b)
                    let rv = partial.withUnsafeBufferPointer { ruleValue(load8($0.baseAddress!, bi * 8), block: bi) }
                    for r in bi * 8 ..< min(n, bi * 8 + 8) where partial[r] < .infinity && rv[r - bi * 8] <= lead.worst {
                        lead.offer(rv[r - bi * 8], identity: ids[Int(slots[r])], row: Int32(r))
                    }
                }
                ratioCut = ratio2 * lead.worst
            }
            // Kill rows whose lower bound passes the exact bound or whose rule value passes the
            // ratio cut; keep the blocks that still hold a live row.
            var kept: [Int32] = []
            kept.reserveCapacity(alive.count)
            partial.withUnsafeMutableBufferPointer { pb in
                let limit = SIMD8<Float>(repeating: bound), rlimit = SIMD8<Float>(repeating: ratioCut)
                let tqv = SIMD8<Float>(repeating: tq), slack = SIMD8<Float>(repeating: slackFactor)
                for b in alive {
                    let p = pb.baseAddress! + Int(b) * 8
                    var v = load8(p, 0)
                    let tx = tails.norms(block: Int(b), level: l)
                    let gap = tqv - tx
                    // partial + (tq - tx)^2 <= full distance; minus a rounding allowance.
                    let lower = v + gap * gap - slack * (tqv * tqv + tx * tx)
                    var dead = lower .> limit
                    if ratio2 != nil { dead .|= ruleValue(v, block: Int(b)) .> rlimit }
                    if all(dead) {
                        UnsafeMutableRawPointer(p).storeBytes(of: SIMD8<Float>(repeating: .infinity), as: SIMD8<Float>.self)
                        continue
                    }
                    v.replace(with: .infinity, where: dead)
                    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
                    kept.append(b)
                }
            }
            alive = kept
        }

        var top = DistinctTopK(topK)
        for b in alive {
            for r in Int(b) * 8 ..< min(n, Int(b) * 8 + 8) where partial[r] < .infinity && partial[r] <= top.worst {
                top.offer(partial[r], identity: ids[Int(slots[r])], row: Int32(r))
            }
        }
        return top.items.map {
            Candidate(identity: $0.identity, face: table.faceOfRow[Int($0.row)], distance: max($0.distance, 0).squareRoot())
        }
    }
}
