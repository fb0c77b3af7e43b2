import Foundation

extension ShapePredictor {
    /// Reads a dlib `shape_predictor` file (e.g. `shape_predictor_5_face_landmarks.dat`).
    ///
    /// - Throws: `EngineError(.fileUnreadable)` when the file cannot be read, `.malformedModel`
    ///   naming the file and byte offset when the bytes are truncated, corrupt or inconsistent
    ///   (trees that are not complete, indices out of range, mismatched shapes).
    public static func read(contentsOf url: URL) throws -> ShapePredictor {
        try parse(try DlibStreamReader.fileBytes(url), source: url.lastPathComponent)
    }

    /// Parses the bytes of a shape predictor file; `source` names it in error messages.
    // swiftlint:disable:next function_body_length
    public static func parse(_ bytes: [UInt8], source: String = "<memory>") throws -> ShapePredictor {
        var r = DlibStreamReader(bytes: bytes, source: source)
        let version = try r.readInt()
        guard version == 1 else { throw r.error("shape_predictor version \(version), expected 1") }
        let initial = try r.readFloatMatrix()
        guard initial.columns == 1, initial.rows >= 2, initial.rows % 2 == 0, initial.rows <= 2 * 1000 else {
            throw r.error("initial shape is \(initial.rows)x\(initial.columns), expected (2 x landmarks) x 1")
        }
        let values = initial.rows
        let cascadeCount = try r.readCount(minimumElementBytes: 2, "cascade count")
        var splitsPerTree = -1
        var partial: [(splits: [Split], leaves: [Float], trees: Int)] = []
        for c in 0..<cascadeCount {
            let trees = try r.readCount(minimumElementBytes: 4, "trees in cascade \(c)")
            var splits: [Split] = [], leaves: [Float] = []
            for t in 0..<trees {
                let splitCount = try r.readCount(minimumElementBytes: 6, "splits in tree \(t) of cascade \(c)")
                if splitsPerTree < 0 { splitsPerTree = splitCount }
                guard splitCount == splitsPerTree else {
                    throw r.error("tree \(t) of cascade \(c) has \(splitCount) splits, others have \(splitsPerTree)")
                }
                for _ in 0..<splitCount {
                    let a = try r.readInt(in: 0...Int(Int32.max), "split idx1")
                    let b = try r.readInt(in: 0...Int(Int32.max), "split idx2")
                    splits.append(Split(a: Int32(a), b: Int32(b), threshold: try r.readFloat()))
                }
                let leafCount = try r.readCount(minimumElementBytes: 4, "leaves in tree \(t) of cascade \(c)")
                guard leafCount == splitCount + 1 else {
                    throw r.error("tree \(t) of cascade \(c) has \(leafCount) leaves for \(splitCount) splits")
                }
                for _ in 0..<leafCount {
                    let leaf = try r.readFloatMatrix()
                    guard leaf.rows * leaf.columns == values else {
                        throw r.error("leaf of \(leaf.rows)x\(leaf.columns) values, expected \(values)")
                    }
                    leaves.append(contentsOf: leaf.values)
                }
            }
            partial.append((splits, leaves, trees))
        }
        let anchorCascades = try r.readCount(minimumElementBytes: 1, "anchor cascades")
        guard anchorCascades == cascadeCount else { throw r.error("\(anchorCascades) anchor lists for \(cascadeCount) cascades") }
        var anchors: [[Int32]] = []
        for _ in 0..<cascadeCount {
            let count = try r.readCount(minimumElementBytes: 2, "anchor count")
            var list: [Int32] = []
            list.reserveCapacity(count)
            for _ in 0..<count { list.append(Int32(try r.readInt(in: 0...(values / 2 - 1), "anchor index"))) }
            anchors.append(list)
        }
        let deltaCascades = try r.readCount(minimumElementBytes: 1, "delta cascades")
        guard deltaCascades == cascadeCount else { throw r.error("\(deltaCascades) delta lists for \(cascadeCount) cascades") }
        var cascades: [Cascade] = []
        for c in 0..<cascadeCount {
            let count = try r.readCount(minimumElementBytes: 8, "delta count")
            guard count == anchors[c].count else {
                throw r.error("cascade \(c) has \(count) deltas but \(anchors[c].count) anchors")
            }
            var deltas: [Float] = []
            deltas.reserveCapacity(2 * count)
            for _ in 0..<count {
                deltas.append(try r.readFloat())
                deltas.append(try r.readFloat())
            }
            for split in partial[c].splits where Int(split.a) >= count || Int(split.b) >= count {
                throw r.error("cascade \(c) has a split on feature \(max(split.a, split.b)) of \(count)")
            }
            cascades.append(Cascade(splits: partial[c].splits, leaves: partial[c].leaves, anchors: anchors[c],
                                    deltas: deltas, treeCount: partial[c].trees))
        }
        guard r.remaining == 0 else { throw r.error("\(r.remaining) unexpected bytes after the model") }
        // Trees must be complete binary trees: splits = 2^d - 1.
        let s = max(0, splitsPerTree)
        guard (s + 1) & s == 0 else { throw r.error("trees with \(s) splits are not complete binary trees", at: 0) }
        return ShapePredictor(initialShape: initial.values, cascades: cascades, splitsPerTree: s)
    }
}
