/// Store-assigned id of an enrolled identity (a person).
public typealias IdentityID = Int64
/// Store-assigned id of one enrolled face embedding.
public typealias FaceID = Int64

/// One ranked answer of a gallery search: an identity, its nearest face and the distance.
public struct Candidate: Sendable, Hashable, CustomStringConvertible {
    /// The identity (class) matched.
    public var identity: IdentityID
    /// The face of that identity that gave the distance (the class mean rule reports the
    /// identity's nearest face is unknown, so it reports `nil`).
    public var face: FaceID?
    /// Euclidean (not squared) distance between the query and the class, in embedding units.
    public var distance: Float

    /// Creates a candidate.
    public init(identity: IdentityID, face: FaceID?, distance: Float) {
        self.identity = identity
        self.face = face
        self.distance = distance
    }

    /// `identity/face@distance`.
    public var description: String { "\(identity)/\(face.map(String.init) ?? "-")@\(distance)" }
}

/// How a class (identity) distance is derived from its embeddings.
public enum ClassDistanceRule: String, Sendable, CaseIterable {
    /// Distance to the identity's nearest embedding (nearest-neighbour class). The default.
    case nearestFace = "nearest"
    /// Distance to the mean of the identity's embeddings.
    case classMean = "mean"
}

/// A searchable set of face embeddings grouped by identity.
///
/// Implementations are value types: copying one gives an independent snapshot (copy-on-write),
/// so a caller can search a copy while another task mutates the original. Candidates are ranked
/// by ascending distance, ties broken by ascending identity id, one candidate per identity.
public protocol VectorIndex: Sendable {
    /// Length of every vector in this index.
    var dimension: Int { get }
    /// Number of faces (embeddings) held.
    var count: Int { get }
    /// Number of identities with at least one face.
    var identityCount: Int { get }
    /// Bytes of heap memory held for vectors, ids and bookkeeping (approximate, excludes scratch).
    var memoryBytes: Int { get }

    /// Adds one face embedding to an identity (created on first use).
    /// - Throws: `GalleryError` `.dimensionMismatch`, `.nonFiniteVector`, `.duplicateFace`.
    mutating func add(_ vector: [Float], face: FaceID, identity: IdentityID) throws(GalleryError)

    /// Removes one face; returns false when it was not present.
    @discardableResult mutating func remove(face: FaceID) -> Bool

    /// Removes every face of an identity; returns how many were removed.
    @discardableResult mutating func remove(identity: IdentityID) -> Int

    /// The `topK` nearest identities to `query`, nearest first.
    /// - Throws: `GalleryError` `.dimensionMismatch`, `.invalidArgument` (topK < 1).
    func search(_ query: [Float], topK: Int) throws(GalleryError) -> [Candidate]

    /// Searches several queries stored row-major in `queries` (`queries.count / dimension` rows).
    /// - Throws: as `search(_:topK:)`, and `.dimensionMismatch` if the length is not a multiple.
    func search(batch queries: [Float], topK: Int) throws(GalleryError) -> [[Candidate]]
}

extension VectorIndex {
    /// Default batch search: one query at a time.
    public func search(batch queries: [Float], topK: Int) throws(GalleryError) -> [[Candidate]] {
        let rows = try batchRowCount(queries.count, dimension: dimension)
        var out: [[Candidate]] = []
        out.reserveCapacity(rows)
        for r in 0..<rows {
            out.append(try search(Array(queries[r * dimension ..< (r + 1) * dimension]), topK: topK))
        }
        return out
    }

    /// Adds many faces; stops at the first error (faces before it stay added).
    public mutating func add(_ vectors: [[Float]], faces: [FaceID], identity: IdentityID) throws(GalleryError) {
        guard vectors.count == faces.count else {
            throw GalleryError(.invalidArgument, "\(vectors.count) vectors for \(faces.count) face ids")
        }
        for (v, f) in zip(vectors, faces) { try add(v, face: f, identity: identity) }
    }
}

/// Checks a flat batch length and returns its row count.
func batchRowCount(_ length: Int, dimension: Int) throws(GalleryError) -> Int {
    guard dimension > 0, length % dimension == 0 else {
        throw GalleryError(.dimensionMismatch, "batch of \(length) floats is not a multiple of dimension \(dimension)")
    }
    return length / dimension
}

/// Validates a vector for insertion or search.
func checkVector(_ v: [Float], dimension: Int) throws(GalleryError) {
    guard v.count == dimension else {
        throw GalleryError(.dimensionMismatch, "vector has \(v.count) components, index dimension is \(dimension)")
    }
    for x in v where !x.isFinite {
        throw GalleryError(.nonFiniteVector, "vector holds a NaN or infinite component")
    }
}

/// Validates topK.
func checkTopK(_ topK: Int) throws(GalleryError) {
    guard topK >= 1 else { throw GalleryError(.invalidArgument, "topK must be >= 1, got \(topK)") }
}
