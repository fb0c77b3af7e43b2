/// The seed's sequential (level-wise PCA) classification index, with an exact pruning mode.
///
/// Embeddings are rotated by a full PCA basis fitted on the gallery and stored level by level:
/// level l holds, for every row, the components of its band `[start_l, end_l)` contiguously, so
/// scanning level 1 reads only level-1 bytes. A search scores every row on level 1, then adds
/// the next bands only for rows that survive the pruning rule (`Pruning`). The basis is refitted
/// by `refitted()` (run in the background by `LiveGallery`) when `needsRefit` says so.
/// Value type: a copy is an independent snapshot.
public struct SequentialIndex: VectorIndex {
    /// How rows are dropped between levels.
    public enum Pruning: Sendable, Equatable, CustomStringConvertible {
        /// Drop a row once its partial squared distance exceeds an upper bound of the k-th best
        /// full class distance (squared). Partial squared distances only grow with more
        /// components, so answers are identical to `FlatIndex`'s.
        case exact
        /// The seed's rule: keep a row while rho / rho_best <= delta, where rho is the partial
        /// *Euclidean* distance (square root of the partial squared distance) and rho_best the
        /// k-th best class's. Plain distances, not squared ones: squaring turns delta into
        /// delta^2 and, with the same delta, prunes far less sharply than the seed measured
        /// (DESIGN.md: squared ratios with delta 1.2-1.5 lost 40-95 points). The exact bound is
        /// applied too (it never changes an answer).
        case ratio(delta: Float)
        /// The seed's ratio test on estimated *full* distances instead of partial ones: keep a
        /// row while rho_hat / rho_hat_best <= delta, where rho_hat^2 = partial + ||q_tail||^2
        /// + ||x_tail||^2 is the expected full squared distance of an unrelated pair (tails
        /// uncorrelated) and rho_hat_best the k-th best identity's. Why: on a flat spectrum the
        /// best *partial* distance over a big gallery is an extreme low outlier (an impostor
        /// that happens to be close on the first components), so a fixed delta on partials
        /// prunes true matches more as the gallery grows; the unseen tail of that impostor is
        /// not selected for being small, and adding its expected value removes most of the
        /// bias. The test tightens level by level to the plain ratio at the last level, with no
        /// per-level tuning. The exact bound is applied too.
        case expectedRatio(delta: Float)

        /// `exact`, `ratio(δ)` or `expected(δ)`.
        public var description: String {
            switch self {
            case .exact: return "exact"
            case .ratio(let d): return "ratio(\(d))"
            case .expectedRatio(let d): return "expected(\(d))"
            }
        }

        /// The delta of a ratio rule; nil for `exact`.
        public var delta: Float? {
            switch self {
            case .exact: return nil
            case .ratio(let d), .expectedRatio(let d): return d
            }
        }
    }

    /// Tuning of a `SequentialIndex`; every field has a documented default.
    public struct Config: Sendable, Equatable {
        /// Widths of the levels in components (each rounded up to 8; the last level absorbs the
        /// rest). Empty = default: 32, 32, 64, 128, ... doubling until the dimension is covered.
        public var levelWidths: [Int] = []
        /// Pruning rule. Default `.exact`.
        public var pruning: Pruning = .exact
        /// Rows sampled (evenly) to fit the basis. Default 20,000 rows.
        public var maxFitRows: Int = 20_000
        /// No basis is fitted below this many rows (identity rotation). Default 64 rows.
        public var minFitRows: Int = 64
        /// Refit once adds + removes since the last fit exceed this fraction of the rows the
        /// basis was fitted on (growth or churn). Default 1.0 (the gallery doubled or turned over).
        public var refitChurn: Double = 1.0
        /// Refit once the rows added since the fit put a fraction of their energy in level 1
        /// that is this much (relative) below what the fitted basis captured there: level 1 is
        /// what pruning rests on, so a basis that no longer concentrates new rows' variance
        /// there has drifted. Judged after at least `minFitRows` new rows. Default 0.2.
        public var refitDrift: Double = 0.2

        /// Creates the default configuration.
        public init() {}

        /// Creates a configuration with a pruning rule and optional level widths.
        public init(pruning: Pruning, levelWidths: [Int] = []) {
            self.pruning = pruning
            self.levelWidths = levelWidths
        }
    }

    /// Length of every vector.
    public let dimension: Int
    /// The configuration in use.
    public private(set) var config: Config
    let stride: Int
    /// Level bands as [start, end) over the padded rotated vector.
    let bands: [(start: Int, end: Int)]
    var basis: PCABasis
    /// One store per level, rows interleaved by 8 (`InterleavedRows`): level 1 is scanned in
    /// full; later levels are read only for blocks of 8 rows with a surviving row.
    var levels: [InterleavedRows]
    var table = RowTable()
    /// Norms of each row's unread components after every level but the last.
    var tails: TailNorms
    /// Adds + removes since the basis was fitted.
    private(set) var churn = 0
    /// Rows added since the fit, and their summed level-1 and total energies (rotated,
    /// centred by the basis mean): the drift statistic.
    private var addedSinceFit = 0
    private var addedLevelOneEnergy: Double = 0
    private var addedEnergy: Double = 0

    /// Creates an empty index (identity basis until enough rows arrive to fit one).
    /// - Throws: `.invalidArgument` for `dimension < 1` or non-positive level widths.
    public init(dimension: Int, config: Config = Config()) throws(GalleryError) {
        guard dimension >= 1 else { throw GalleryError(.invalidArgument, "dimension must be >= 1, got \(dimension)") }
        guard config.levelWidths.allSatisfy({ $0 > 0 }) else {
            throw GalleryError(.invalidArgument, "level widths must be positive: \(config.levelWidths)")
        }
        if let delta = config.pruning.delta, !(delta >= 1) {
            throw GalleryError(.invalidArgument, "ratio delta must be >= 1, got \(delta)")
        }
        self.dimension = dimension
        self.config = config
        self.stride = paddedLength(dimension)
        self.bands = Self.makeBands(stride: stride, widths: config.levelWidths)
        self.basis = .identity(dimension: dimension)
        self.levels = bands.map { InterleavedRows(width: $0.end - $0.start) }
        self.tails = TailNorms(boundaries: bands.count - 1)
    }

    /// End of every band (`TailNorms` boundaries).
    var bandEnds: [Int] { bands.map(\.end) }

    static func makeBands(stride: Int, widths: [Int]) -> [(start: Int, end: Int)] {
        var w = widths.map(paddedLength)
        if w.isEmpty {
            var next = 32
            var total = 0
            while total < stride { w.append(next); total += next; if w.count > 1 { next *= 2 } }
        }
        var out: [(Int, Int)] = []
        var start = 0
        for width in w where start < stride {
            let end = min(stride, start + width)
            out.append((start, end))
            start = end
        }
        if start < stride { out.append((start, stride)) }
        return out
    }

    /// Switches the pruning rule (a search-time setting: no rebuild).
    /// - Throws: `.invalidArgument` for a ratio delta below 1.
    public mutating func setPruning(_ pruning: Pruning) throws(GalleryError) {
        if let delta = pruning.delta, !(delta >= 1) {
            throw GalleryError(.invalidArgument, "ratio delta must be >= 1, got \(delta)")
        }
        config.pruning = pruning
    }

    /// Number of faces held.
    public var count: Int { table.rowCount }
    /// Number of identities with at least one face.
    public var identityCount: Int { table.identityCount }
    /// Level widths in use (components per level, padded to 8).
    public var levelWidths: [Int] { bands.map { $0.end - $0.start } }
    /// Rows the current basis was fitted on (0: identity basis).
    public var fittedRows: Int { basis.fittedRows }
    /// Fraction of the fitted variance in the first `components` components.
    public func varianceFraction(components: Int) -> Double {
        let total = basis.variances.reduce(0, +)
        guard total > 0 else { return 0 }
        return basis.variances.prefix(components).reduce(0, +) / total
    }
    /// Heap bytes for rotated vectors, the basis and ids.
    public var memoryBytes: Int {
        levels.reduce(0) { $0 + $1.memoryBytes } + tails.memoryBytes + (basis.components.count + basis.mean.count) * 4
            + table.memoryBytes
    }

    /// Relative drop of the level-1 energy fraction of the rows added since the fit against
    /// the fitted basis's level-1 variance fraction (0: no new rows or no drift; 0.3: new rows
    /// put 30% less of their energy in level 1 than the fit promised).
    public var levelOneDrift: Double {
        guard basis.fittedRows > 0, addedSinceFit > 0, addedEnergy > 0 else { return 0 }
        let fitted = varianceFraction(components: bands[0].end)
        guard fitted > 0 else { return 0 }
        return 1 - (addedLevelOneEnergy / addedEnergy) / fitted
    }

    /// True when the basis should be refitted: none fitted yet and enough rows; or adds +
    /// removes since the fit exceed `refitChurn` x the fitted rows (growth, churn); or the
    /// rows added since the fit show a level-1 drift above `refitDrift` (distribution change).
    public var needsRefit: Bool {
        let n = table.rowCount
        if basis.fittedRows == 0 { return n >= config.minFitRows }
        if Double(churn) > config.refitChurn * Double(basis.fittedRows) { return true }
        return addedSinceFit >= config.minFitRows && levelOneDrift > config.refitDrift
    }

    /// Adds one face, projected with the current basis at once.
    public mutating func add(_ vector: [Float], face: FaceID, identity: IdentityID) throws(GalleryError) {
        try checkVector(vector, dimension: dimension)
        try table.append(face: face, identity: identity)
        var x = vector
        if stride > dimension { x += [Float](repeating: 0, count: stride - dimension) }
        var y = [Float](repeating: 0, count: stride)
        x.withUnsafeBufferPointer { xb in
            y.withUnsafeMutableBufferPointer { yb in basis.project(xb.baseAddress!, into: yb.baseAddress!) }
        }
        let ends = bandEnds
        y.withUnsafeBufferPointer { yb in
            for (l, band) in bands.enumerated() { levels[l].append(yb.baseAddress! + band.start) }
            tails.append(rotated: yb.baseAddress!, ends: ends, stride: stride)
        }
        churn += 1
        if basis.fittedRows > 0 {
            var one: Double = 0, all: Double = 0
            for j in 0..<stride {
                let e = Double(y[j]) * Double(y[j])
                all += e
                if j < bands[0].end { one += e }
            }
            addedSinceFit += 1
            addedLevelOneEnergy += one
            addedEnergy += all
        }
    }

    /// Builds an index from many vectors at once (row-major `faces.count x dimension`), fitting
    /// the basis first. Faster than repeated `add` (one blocked projection).
    /// - Parameter fitBasis: false keeps the identity rotation (answers stay exact, pruning is
    ///   weaker) so start-up does not wait for the eigen-solver (seconds at d = 512); `needsRefit`
    ///   is then true and `LiveGallery.refitIfNeeded()` fits in the background.
    /// - Throws: as `add`, and `.invalidArgument` when the id arrays and vectors disagree.
    public init(dimension: Int, config: Config = Config(), vectors: [Float], faces: [FaceID], identities: [IdentityID],
                fitBasis: Bool = true) throws(GalleryError) {
        try self.init(dimension: dimension, config: config)
        guard faces.count == identities.count, vectors.count == faces.count * dimension else {
            throw GalleryError(.invalidArgument, "\(vectors.count) floats for \(faces.count) faces of dimension \(dimension)")
        }
        for x in vectors where !x.isFinite { throw GalleryError(.nonFiniteVector, "vector holds a NaN or infinite component") }
        table.reserve(rows: faces.count)
        for (f, i) in zip(faces, identities) { try table.append(face: f, identity: i) }
        let n = faces.count
        var padded = [Float](repeating: 0, count: n * stride)
        for r in 0..<n { for j in 0..<dimension { padded[r * stride + j] = vectors[r * dimension + j] } }
        load(original: padded, count: n, fit: fitBasis)
    }

    /// Fits the basis on `original` (padded rows) if there are enough, then fills the levels.
    private mutating func load(original: [Float], count n: Int, fit: Bool = true) {
        if fit && n >= config.minFitRows {
            let m = min(n, config.maxFitRows)
            var sample = [Float](repeating: 0, count: m * stride)
            for i in 0..<m {
                let r = Int((Double(i) * Double(n) / Double(m)).rounded(.down))
                for j in 0..<stride { sample[i * stride + j] = original[r * stride + j] }
            }
            basis = sample.withUnsafeBufferPointer { PCABasis.fit(rows: $0, count: m, dimension: dimension) }
        } else {
            basis = .identity(dimension: dimension)
        }
        var rotated = [Float](repeating: 0, count: n * stride)
        original.withUnsafeBufferPointer { ob in
            rotated.withUnsafeMutableBufferPointer { rb in
                if n > 0 { basis.project(rows: ob.baseAddress!, count: n, into: rb.baseAddress!) }
            }
        }
        levels = bands.map { band in
            var level = InterleavedRows(width: band.end - band.start)
            level.reserve(rows: n)
            rotated.withUnsafeBufferPointer { rb in for r in 0..<n { level.append(rb.baseAddress! + r * stride + band.start) } }
            return level
        }
        tails = TailNorms(boundaries: bands.count - 1)
        tails.reserve(rows: n)
        let ends = bandEnds
        rotated.withUnsafeBufferPointer { rb in
            for r in 0..<n { tails.append(rotated: rb.baseAddress! + r * stride, ends: ends, stride: stride) }
        }
        churn = 0
        addedSinceFit = 0
        addedLevelOneEnergy = 0
        addedEnergy = 0
    }

    /// A copy of this index with the basis refitted on its current rows (the originals are
    /// reconstructed exactly up to float rounding from the rotated rows). Pure: run it on a
    /// snapshot in the background and swap the result in.
    public func refitted() -> SequentialIndex {
        let n = table.rowCount
        var rotated = [Float](repeating: 0, count: n * stride)
        rotated.withUnsafeMutableBufferPointer { rb in
            for (l, band) in bands.enumerated() {
                for r in 0..<n { levels[l].copyRow(r, into: rb.baseAddress! + r * stride + band.start) }
            }
        }
        var original = [Float](repeating: 0, count: n * stride)
        rotated.withUnsafeBufferPointer { rb in
            original.withUnsafeMutableBufferPointer { ob in
                if n > 0 { basis.reconstruct(rows: rb.baseAddress!, count: n, into: ob.baseAddress!) }
            }
        }
        var copy = self
        copy.load(original: original, count: n)
        return copy
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
        _ = table.remove(row: row)  // every level moves its last row the same way
        for l in levels.indices { levels[l].removeSwappingLast(row) }
        tails.removeSwappingLast(row)
        churn += 1
    }
}
