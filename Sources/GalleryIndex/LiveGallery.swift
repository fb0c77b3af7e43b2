/// The in-memory gallery the service searches: a `SequentialIndex` that refits its PCA basis
/// in the background and swaps the result in atomically.
///
/// Callers write to `GalleryStore` first and apply the committed records here. When the index
/// says it needs a refit (grown or churned enough), a detached task refits a snapshot (a value
/// copy) while searches keep using the current index; mutations made meanwhile are journaled
/// and replayed on the new index before the swap, inside the actor, so no search ever sees a
/// half-built index. Cost: the first mutation after a snapshot copies the vectors once (CoW).
public actor LiveGallery {
    private enum Mutation {
        case add([Float], FaceID, IdentityID)
        case removeFace(FaceID)
        case removeIdentity(IdentityID)
    }

    private var index: SequentialIndex
    private var journal: [Mutation]?
    private var refit: Task<Void, Never>?
    /// Number of completed background refits.
    public private(set) var refits = 0

    /// Wraps an index (typically `GalleryStore.loadIndex()`).
    public init(index: SequentialIndex) {
        self.index = index
    }

    /// A consistent copy of the current index (search it off the actor for parallel queries).
    public var snapshot: SequentialIndex { index }

    /// Applies committed faces; may start a background refit.
    public func add(_ faces: [FaceRecord]) throws(GalleryError) {
        for f in faces {
            try index.add(f.embedding, face: f.id, identity: f.identity)
            journal?.append(.add(f.embedding, f.id, f.identity))
        }
        scheduleRefitIfNeeded()
    }

    /// Removes a face (after the store deleted it); it stops matching at once.
    @discardableResult
    public func remove(face: FaceID) -> Bool {
        journal?.append(.removeFace(face))
        defer { scheduleRefitIfNeeded() }
        return index.remove(face: face)
    }

    /// Removes an identity's faces (after the store deleted them).
    @discardableResult
    public func remove(identity: IdentityID) -> Int {
        journal?.append(.removeIdentity(identity))
        defer { scheduleRefitIfNeeded() }
        return index.remove(identity: identity)
    }

    /// Searches the current index.
    public func search(_ query: [Float], topK: Int) throws(GalleryError) -> [Candidate] {
        try index.search(query, topK: topK)
    }

    /// Searches and applies the open-set decision.
    public func identify(_ query: [Float], topK: Int, policy: OpenSetPolicy) throws(GalleryError) -> Identification {
        try index.identify(query, topK: topK, policy: policy)
    }

    /// Starts a background refit if the index needs one (call after start-up with an index
    /// loaded with `fitBasis: false`); searches continue on the current index meanwhile.
    public func refitIfNeeded() {
        scheduleRefitIfNeeded()
    }

    /// Waits until no refit is running (tests, shutdown).
    public func waitForRefit() async {
        while let task = refit { await task.value }
    }

    private func scheduleRefitIfNeeded() {
        guard refit == nil, index.needsRefit else { return }
        let snapshot = index
        journal = []
        refit = Task.detached(priority: .utility) { [snapshot] in
            let fitted = snapshot.refitted()
            await self.install(fitted)
        }
    }

    private func install(_ fitted: SequentialIndex) {
        var next = fitted
        for m in journal ?? [] {
            switch m {
            case let .add(v, f, i): try? next.add(v, face: f, identity: i)  // was valid on the live index
            case let .removeFace(f): next.remove(face: f)
            case let .removeIdentity(i): next.remove(identity: i)
            }
        }
        index = next
        journal = nil
        refit = nil
        refits += 1
        // The gallery may have grown enough during the refit to warrant another one.
        scheduleRefitIfNeeded()
    }
}
