/// Per-row norms of the unseen part of a rotated row after each level: for level l (all but
/// the last), `||y[end_l ..< stride]||`, the Euclidean norm of the components not yet read.
///
/// They give `SequentialIndex` two things per row at the cost of one float per row per level
/// boundary (~1% of the vector bytes at d = 512):
/// - an exact lower bound of the distance still to come (reverse triangle inequality):
///   `|q_tail - x_tail|^2 >= (||q_tail|| - ||x_tail||)^2`, so `partial + (tq - tx)^2` never
///   exceeds the full squared distance (the exact rule prunes on it);
/// - an estimate of the full squared distance for an unrelated pair, whose tails are
///   uncorrelated: `partial + tq^2 + tx^2` (the ratio rule compares these estimates).
/// Layout: block-major like `InterleavedRows`, `data[(b * boundaries + l) * 8 + lane]`, so a
/// search touching block b reads one cache line per level for its 8 rows.
struct TailNorms: Sendable {
    /// Number of level boundaries (levels - 1).
    let boundaries: Int
    private(set) var data: [Float] = []
    private(set) var rows = 0

    init(boundaries: Int) { self.boundaries = boundaries }

    var memoryBytes: Int { data.capacity * 4 }

    mutating func reserve(rows n: Int) { data.reserveCapacity(((n + 7) / 8) * boundaries * 8) }

    /// Appends the tail norms of a padded rotated row (`ends[l]` = end of band l).
    mutating func append(rotated y: UnsafePointer<Float>, ends: [Int], stride: Int) {
        guard boundaries > 0 else { rows += 1; return }
        if rows % 8 == 0 { data.appendGrowing(repeatElement(0, count: boundaries * 8)) }
        let base = (rows / 8) * boundaries * 8 + rows % 8
        let norms = Self.tails(y, ends: ends, stride: stride)
        data.withUnsafeMutableBufferPointer { d in
            for l in 0..<boundaries { d[base + l * 8] = norms[l] }
        }
        rows += 1
    }

    /// Tail norms of one padded rotated vector (query or row), one per boundary.
    static func tails(_ y: UnsafePointer<Float>, ends: [Int], stride: Int) -> [Float] {
        var out = [Float](repeating: 0, count: max(ends.count - 1, 0))
        var sum: Double = 0
        var j = stride
        for l in Swift.stride(from: ends.count - 2, through: 0, by: -1) {
            while j > ends[l] { j -= 1; sum += Double(y[j]) * Double(y[j]) }
            out[l] = Float(sum.squareRoot())
        }
        return out
    }

    /// Removes row `r` by moving the last row into it.
    mutating func removeSwappingLast(_ r: Int) {
        let last = rows - 1
        rows -= 1
        guard boundaries > 0 else { return }
        let w = boundaries
        data.withUnsafeMutableBufferPointer { d in
            let dst = (r / 8) * w * 8 + r % 8, src = (last / 8) * w * 8 + last % 8
            for l in 0..<w {
                d[dst + l * 8] = d[src + l * 8]
                d[src + l * 8] = 0
            }
        }
        if rows % 8 == 0 { data.removeLast(w * 8) }
    }

    /// The 8 tail norms of block `b` after level `l`.
    @inline(__always)
    func norms(block b: Int, level l: Int) -> SIMD8<Float> {
        data.withUnsafeBufferPointer { load8($0.baseAddress!, (b * boundaries + l) * 8) }
    }
}
