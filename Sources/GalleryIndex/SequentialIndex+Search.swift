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
    /// The `topK` nearest identities, nearest first, under the configured pruning rule.
    public func search(_ query: [Float], topK: Int) throws(GalleryError) -> [Candidate] {
        var work = SearchWork()
        return try search(query, topK: topK, work: &work)
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

    private func searchRotated(_ y: UnsafePointer<Float>, topK: Int, work: inout SearchWork) -> [Candidate] {
        let n = table.rowCount
        let slots = table.slotCapacity
        let slotOfRow = table.slotOfRow
        var partial = [Float](repeating: 0, count: n)
        var best = [Float](repeating: .infinity, count: slots)
        var bestRow = [Int32](repeating: -1, count: slots)

        // Level 1 over every row, tracking each identity's best row.
        let w0 = bands[0].end
        levels[0].withUnsafeBufferPointer { lb in
            let base = lb.baseAddress!
            for r in 0..<n {
                let d = squaredDistance(y, base + r * w0, w0)
                partial[r] = d
                let s = Int(slotOfRow[r])
                if d < best[s] { best[s] = d; bestRow[s] = Int32(r) }
            }
        }
        work.componentsRead += n * w0

        // Upper bound of the k-th best class distance: complete the full distance of the best
        // row of the k identities that lead on level 1. Summed in the same order as below, so a
        // row's bound and its final distance are the same float.
        var bound = Float.infinity
        if table.identityCount >= topK {
            var lead = TopK(topK)
            for s in 0..<slots where bestRow[s] >= 0 {
                if best[s] <= lead.worst { lead.offer(distance: best[s], identity: IdentityID(s), face: nil) }
            }
            var kth: Float = 0
            for item in lead.items {
                let r = Int(bestRow[Int(item.identity)])
                var d = partial[r]
                for l in 1..<bands.count { d += bandDistance(y, level: l, row: r) }
                work.componentsRead += stride - w0
                kth = max(kth, d)
            }
            // Slack for rounding differences between partial sums and the same full sums.
            bound = kth * (1 + 1e-5) + 1e-7
        }

        var survivors: [Int32] = []
        survivors.reserveCapacity(n / 4)
        let ratio2: Float? = {
            if case let .ratio(delta) = config.pruning { return delta * delta }
            return nil
        }()
        var cut = bound
        if let ratio2 { cut = min(cut, ratio2 * kthClassMinimum(best, bestRow: bestRow, topK: topK)) }
        for r in 0..<n where partial[r] <= cut { survivors.append(Int32(r)) }

        for l in 1..<bands.count {
            let w = bands[l].end - bands[l].start
            levels[l].withUnsafeBufferPointer { lb in
                let base = lb.baseAddress!
                let yl = y + bands[l].start
                for r in survivors { partial[Int(r)] += squaredDistance(yl, base + Int(r) * w, w) }
            }
            work.componentsRead += survivors.count * w
            if l == bands.count - 1 { break }
            var cut = bound
            if let ratio2 {
                // Seed rule on the current partial distances of the surviving rows.
                for s in 0..<slots { best[s] = .infinity; bestRow[s] = -1 }
                for r in survivors {
                    let s = Int(slotOfRow[Int(r)])
                    if partial[Int(r)] < best[s] { best[s] = partial[Int(r)]; bestRow[s] = r }
                }
                cut = min(cut, ratio2 * kthClassMinimum(best, bestRow: bestRow, topK: topK))
            }
            survivors.removeAll { partial[Int($0)] > cut }
        }

        // Full distances of the survivors: per-identity minimum, then the top k.
        for s in 0..<slots { best[s] = .infinity; bestRow[s] = -1 }
        for r in survivors {
            let s = Int(slotOfRow[Int(r)])
            if partial[Int(r)] < best[s] { best[s] = partial[Int(r)]; bestRow[s] = r }
        }
        var top = TopK(topK)
        for s in 0..<slots where bestRow[s] >= 0 {
            let d = max(best[s], 0)
            if d <= top.worst {
                top.offer(distance: d, identity: table.identityOfSlot[s], face: table.faceOfRow[Int(bestRow[s])])
            }
        }
        return top.candidates(squared: true)
    }

    @inline(__always)
    private func bandDistance(_ y: UnsafePointer<Float>, level l: Int, row r: Int) -> Float {
        let w = bands[l].end - bands[l].start
        return levels[l].withUnsafeBufferPointer { lb in
            squaredDistance(y + bands[l].start, lb.baseAddress! + r * w, w)
        }
    }

    /// The k-th smallest per-identity minimum (the largest of the k best), or the largest one
    /// when fewer than k identities remain.
    private func kthClassMinimum(_ best: [Float], bestRow: [Int32], topK: Int) -> Float {
        var lead = TopK(topK)
        for s in 0..<best.count where bestRow[s] >= 0 {
            if best[s] <= lead.worst { lead.offer(distance: best[s], identity: IdentityID(s), face: nil) }
        }
        return lead.items.last?.distance ?? .infinity
    }
}
