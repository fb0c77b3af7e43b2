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

    /// Level-wise search of a rotated query.
    ///
    /// Level 1 scores every row. An upper bound of the k-th best identity distance comes from
    /// completing the full distance of the best row of the k identities leading on level 1.
    /// Each later level adds its band for the surviving rows only; a row is dropped once its
    /// partial squared distance exceeds the bound (and, for `ratio`, once its partial distance
    /// exceeds delta times the k-th best identity's partial distance).
    private func searchRotated(_ y: UnsafePointer<Float>, topK: Int, work: inout SearchWork) -> [Candidate] {
        let n = table.rowCount
        let slots = table.slotOfRow, ids = table.identityOfSlot
        var partial = [Float](repeating: 0, count: head.blockCount * 8)
        partial.withUnsafeMutableBufferPointer { head.squaredDistances(to: y, into: $0.baseAddress!) }
        work.componentsRead += n * head.width

        var lead = DistinctTopK(topK)
        for r in 0..<n where partial[r] <= lead.worst {
            lead.offer(partial[r], identity: ids[Int(slots[r])], row: Int32(r))
        }
        // Full distances summed in the same order as the level loop below, so a row's bound
        // and its final distance are the same float.
        var bound = Float.infinity
        if lead.items.count == topK {
            var kth: Float = 0
            for item in lead.items {
                let r = Int(item.row)
                var d = partial[r]
                for l in 1..<bands.count { d += bandDistance(y, level: l, row: r) }
                kth = max(kth, d)
            }
            work.componentsRead += topK * (stride - head.width)
            bound = kth * (1 + 1e-6)
        }
        let ratio2: Float? = {
            if case let .ratio(delta) = config.pruning { return delta * delta }
            return nil
        }()
        var cut = bound
        if let ratio2 { cut = min(cut, ratio2 * lead.worst) }

        var survivors: [Int32] = []
        for r in 0..<n where partial[r] <= cut { survivors.append(Int32(r)) }

        for l in 1..<bands.count {
            let w = bands[l].end - bands[l].start
            levels[l].withUnsafeBufferPointer { lb in
                let base = lb.baseAddress!
                let yl = y + bands[l].start
                partial.withUnsafeMutableBufferPointer { pb in
                    for r in survivors { pb[Int(r)] += squaredDistance(yl, base + Int(r) * w, w) }
                }
            }
            work.componentsRead += survivors.count * w
            if l == bands.count - 1 { break }
            var cut = bound
            if let ratio2 {
                var levelLead = DistinctTopK(topK)
                for r in survivors where partial[Int(r)] <= levelLead.worst {
                    levelLead.offer(partial[Int(r)], identity: ids[Int(slots[Int(r)])], row: r)
                }
                cut = min(cut, ratio2 * levelLead.worst)
            }
            survivors.removeAll { partial[Int($0)] > cut }
        }

        var top = DistinctTopK(topK)
        for r in survivors where partial[Int(r)] <= top.worst {
            top.offer(partial[Int(r)], identity: ids[Int(slots[Int(r)])], row: r)
        }
        return top.items.map {
            Candidate(identity: $0.identity, face: table.faceOfRow[Int($0.row)], distance: max($0.distance, 0).squareRoot())
        }
    }

    @inline(__always)
    private func bandDistance(_ y: UnsafePointer<Float>, level l: Int, row r: Int) -> Float {
        let w = bands[l].end - bands[l].start
        return levels[l].withUnsafeBufferPointer { lb in
            squaredDistance(y + bands[l].start, lb.baseAddress! + r * w, w)
        }
    }
}
