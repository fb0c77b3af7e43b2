import Embedding
import GalleryIndex
import Logging

/// The service's gallery: the durable store, the live level-wise index built from it, and an
/// in-memory table of identities (names, metadata, face counts) for answers and listing.
///
/// Every write goes to SQLite first and reaches the index only after its transaction has
/// committed, so an acknowledged face survives a crash and a search never sees an uncommitted
/// one. Writes are serialised by the actor; searches run on `LiveGallery`.
public actor Gallery {
    /// The store file's contents, for `GetGalleryStats`.
    public struct Summary: Sendable {
        /// Identities.
        public var identities: Int
        /// Faces.
        public var faces: Int
        /// Memory held by the index, bytes.
        public var indexMemoryBytes: Int
        /// Store file size, bytes.
        public var storeBytes: Int
        /// Index description, e.g. `sequential(exact)`.
        public var indexKind: String
    }

    private let store: GalleryStore
    private let live: LiveGallery
    private var identities: [IdentityID: IdentityRecord] = [:]
    private let indexKind: String
    /// The open-set operating point.
    public let policy: OpenSetPolicy

    /// Opens (or creates) the store for `model` and rebuilds the index from it.
    /// - Throws: `GalleryError` (another model's store, corrupted or foreign file, I/O).
    public init(
        path: String, model: ModelIdentity, dimension: Int, pruning: SequentialIndex.Pruning, threshold: Float,
        logger: Logger
    ) throws(GalleryError) {
        store = try GalleryStore(config: GalleryStore.Config(path: path, modelID: model.description, dimension: dimension))
        var indexConfig = SequentialIndex.Config()
        indexConfig.pruning = pruning
        let index = try store.loadIndex(config: indexConfig)
        live = LiveGallery(index: index)
        policy = try OpenSetPolicy(threshold: threshold)
        indexKind = "sequential(\(pruning))"
        var table: [IdentityID: IdentityRecord] = [:]
        var token: String? = nil
        repeat {
            let page = try store.listIdentities(pageSize: 1000, pageToken: token)
            for record in page.items { table[record.id] = record }
            token = page.nextPageToken
        } while token != nil
        identities = table
        logger.info(
            "gallery loaded",
            metadata: ["path": "\(path)", "identities": "\(table.count)", "faces": "\(index.count)", "index": "\(indexKind)"])
    }

    // MARK: Identities

    /// Creates an identity (committed before it returns).
    public func createIdentity(displayName: String, metadata: [String: String]) throws(GalleryError) -> IdentityRecord {
        let record = try store.createIdentity(displayName: displayName, metadata: metadata)
        identities[record.id] = record
        return record
    }

    /// One identity; throws `.notFound`.
    public func identity(_ id: IdentityID) throws(GalleryError) -> IdentityRecord {
        guard let record = identities[id] else { throw GalleryError(.notFound, "identity \(id) does not exist") }
        return record
    }

    /// The display name of an identity (empty when unknown).
    public func displayName(of id: IdentityID) -> String {
        identities[id]?.displayName ?? ""
    }

    /// A page of identities in ascending id order, optionally filtered by a name prefix.
    /// - Parameter after: the last id of the previous page (the page token), nil for the first.
    public func listIdentities(pageSize: Int, after: IdentityID?, namePrefix: String) -> (page: [IdentityRecord], more: Bool, total: Int) {
        let matching = identities.values.filter { namePrefix.isEmpty || $0.displayName.hasPrefix(namePrefix) }
            .sorted { $0.id < $1.id }
        let rest = matching.drop { after != nil && $0.id <= after! }
        return (Array(rest.prefix(pageSize)), rest.count > pageSize, matching.count)
    }

    /// The faces of an identity (with embeddings).
    public func faces(of id: IdentityID) throws(GalleryError) -> [FaceRecord] {
        _ = try identity(id)
        return try store.faces(of: id)
    }

    // MARK: Writes

    /// Adds faces to an identity: committed to the store, then applied to the index.
    public func addFaces(_ faces: [NewFace], to id: IdentityID) async throws(GalleryError) -> [FaceRecord] {
        let records = try store.addFaces(faces, to: id)
        try await live.add(records)
        identities[id]?.faceCount += records.count
        return records
    }

    /// Deletes an identity and erases its embeddings; returns the number of faces erased.
    public func deleteIdentity(_ id: IdentityID) async throws(GalleryError) -> Int {
        let erased = try store.deleteIdentity(id)
        await live.remove(identity: id)
        identities[id] = nil
        return erased
    }

    /// Deletes one face; returns its identity.
    public func deleteFace(_ id: FaceID) async throws(GalleryError) -> IdentityID {
        let owner = try store.deleteFace(id)
        await live.remove(face: id)
        identities[owner]?.faceCount -= 1
        return owner
    }

    // MARK: Search

    /// Ranks identities for a query and applies the open-set threshold.
    public nonisolated func identify(_ query: [Float], topK: Int) async throws(GalleryError) -> Identification {
        try await live.identify(query, topK: topK, policy: policy)
    }

    /// Counts and sizes.
    public func summary() async throws(GalleryError) -> Summary {
        let stats = try store.stats()
        let index = await live.snapshot
        return Summary(
            identities: stats.identities, faces: stats.faces, indexMemoryBytes: index.memoryBytes,
            storeBytes: stats.fileBytes, indexKind: indexKind)
    }
}
