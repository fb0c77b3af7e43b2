/// The class-mean rule as a wrapper: an identity's distance is the distance to the mean of
/// its embeddings. The wrapped index holds one row per identity (its mean, face id = identity
/// id); candidates carry `face: nil`.
public struct ClassMeanIndex<Base: VectorIndex>: VectorIndex {
    private var base: Base
    private var sums: [IdentityID: [Double]] = [:]
    private var facesOf: [IdentityID: [FaceID: [Float]]] = [:]
    private var identityOfFace: [FaceID: IdentityID] = [:]

    /// Wraps an empty index.
    /// - Throws: `.invalidArgument` when `base` is not empty.
    public init(base: Base) throws(GalleryError) {
        guard base.count == 0 else { throw GalleryError(.invalidArgument, "ClassMeanIndex needs an empty base index") }
        self.base = base
    }

    /// Length of every vector.
    public var dimension: Int { base.dimension }
    /// Number of faces held.
    public var count: Int { identityOfFace.count }
    /// Number of identities.
    public var identityCount: Int { base.identityCount }
    /// Heap bytes: the base index plus the kept faces and sums.
    public var memoryBytes: Int { base.memoryBytes + count * (dimension * 4 + 32) + sums.count * (dimension * 8 + 32) }

    /// Adds a face and moves its identity's mean.
    public mutating func add(_ vector: [Float], face: FaceID, identity: IdentityID) throws(GalleryError) {
        try checkVector(vector, dimension: dimension)
        guard identityOfFace[face] == nil else { throw GalleryError(.duplicateFace, "face \(face) is already in the index") }
        identityOfFace[face] = identity
        facesOf[identity, default: [:]][face] = vector
        var sum = sums[identity] ?? [Double](repeating: 0, count: dimension)
        for j in 0..<dimension { sum[j] += Double(vector[j]) }
        sums[identity] = sum
        try refresh(identity)
    }

    private mutating func refresh(_ identity: IdentityID) throws(GalleryError) {
        base.remove(face: identity)
        guard let faces = facesOf[identity], !faces.isEmpty, let sum = sums[identity] else {
            sums[identity] = nil
            facesOf[identity] = nil
            return
        }
        let k = Double(faces.count)
        try base.add(sum.map { Float($0 / k) }, face: identity, identity: identity)
    }

    /// Removes one face and moves its identity's mean.
    @discardableResult
    public mutating func remove(face: FaceID) -> Bool {
        guard let identity = identityOfFace.removeValue(forKey: face),
              let v = facesOf[identity]?.removeValue(forKey: face) else { return false }
        if var sum = sums[identity] {
            for j in 0..<dimension { sum[j] -= Double(v[j]) }
            sums[identity] = sum
        }
        try? refresh(identity)  // Re-adding a mean of finite vectors cannot fail.
        return true
    }

    /// Removes every face of an identity.
    @discardableResult
    public mutating func remove(identity: IdentityID) -> Int {
        let faces = facesOf.removeValue(forKey: identity) ?? [:]
        for f in faces.keys { identityOfFace[f] = nil }
        sums[identity] = nil
        base.remove(identity: identity)
        return faces.count
    }

    /// The `topK` identities whose means are nearest.
    public func search(_ query: [Float], topK: Int) throws(GalleryError) -> [Candidate] {
        try base.search(query, topK: topK).map { Candidate(identity: $0.identity, face: nil, distance: $0.distance) }
    }

    /// Batch form of `search(_:topK:)`.
    public func search(batch queries: [Float], topK: Int) throws(GalleryError) -> [[Candidate]] {
        try base.search(batch: queries, topK: topK).map { $0.map { Candidate(identity: $0.identity, face: nil, distance: $0.distance) } }
    }
}
