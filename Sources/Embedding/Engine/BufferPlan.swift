/// Assigns every value of a graph an offset in one arena so that values whose lifetimes do not
/// overlap share memory. Offsets are per sample: a batch of `n` multiplies them by `n`.
struct BufferPlan: Sendable {
    /// Per-sample float offset of each value (indexed by `ValueID.index`); -1 for unused values.
    private(set) var offsets: [Int]
    /// Per-sample floats the arena needs.
    private(set) var floatsPerSample: Int

    /// Plans `graph`; `aliases` maps a value to another whose storage it reuses.
    init(graph: Graph) {
        let count = graph.values.count
        var lastUse = [Int](repeating: -1, count: count)
        for (i, node) in graph.nodes.enumerated() {
            for v in node.inputs { lastUse[v.index] = i }
        }
        lastUse[graph.output.index] = Int.max
        lastUse[graph.input.index] = max(lastUse[graph.input.index], 0)

        struct Slot { var offset: Int; var size: Int; var busyUntil: Int }
        var slots = [Slot]()
        var slotOf = [Int](repeating: -1, count: count)
        offsets = [Int](repeating: -1, count: count)
        floatsPerSample = 0

        func place(_ value: Int, at step: Int) {
            let need = (graph.values[value].shape.count + 15) / 16 * 16  // 64-byte granules
            // Best fit among free slots; otherwise grow the largest free one, otherwise a new slot.
            var best = -1
            for (i, s) in slots.enumerated() where s.busyUntil < step && s.size >= need {
                if best < 0 || s.size < slots[best].size { best = i }
            }
            if best < 0 {
                slots.append(Slot(offset: 0, size: need, busyUntil: 0))
                best = slots.count - 1
            }
            slots[best].busyUntil = lastUse[value]
            slotOf[value] = best
        }
        place(graph.input.index, at: -1)
        for (i, node) in graph.nodes.enumerated() { place(node.output.index, at: i) }
        // Lay slots out one after another.
        var offset = 0
        var slotOffsets = [Int]()
        for s in slots {
            slotOffsets.append(offset)
            offset += s.size
        }
        for v in 0..<count where slotOf[v] >= 0 { offsets[v] = slotOffsets[slotOf[v]] }
        floatsPerSample = offset
    }
}
