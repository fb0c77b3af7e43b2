import CSQLite
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The durable gallery: identities and their face embeddings in one SQLite file.
///
/// WAL journal with `synchronous=FULL`: every write method returns only after its transaction
/// has committed durably, so an acknowledged enrolment survives a crash or power cut. Deleting
/// erases the embeddings (`secure_delete` overwrites freed pages). A store belongs to one
/// embedding model (id and dimension recorded at creation); opening it for another model
/// throws `.modelMismatch`. A file that is not a FaceGate gallery throws `.foreignFile`; a
/// damaged one `.corrupted`.
///
/// Thread-safe: writes go through one connection, reads through a second one, each behind a
/// mutex, so readers proceed while a write transaction runs (WAL snapshot isolation).
public final class GalleryStore: Sendable {
    /// Where the store lives and which model it serves.
    public struct Config: Sendable {
        /// Database file path (created if absent, with `-wal`/`-shm` companions).
        public var path: String
        /// Model id every embedding must come from (e.g. name + file hash).
        public var modelID: String
        /// Embedding dimension of that model.
        public var dimension: Int
        /// Run `PRAGMA quick_check` when opening (reads the whole file once). Default true.
        public var verifyOnOpen: Bool = true
        /// How long a connection waits for a lock before failing. Default 5,000 ms.
        public var busyTimeoutMS: Int32 = 5_000

        /// Creates a configuration with defaults.
        public init(path: String, modelID: String, dimension: Int) {
            self.path = path
            self.modelID = modelID
            self.dimension = dimension
        }
    }

    /// `PRAGMA application_id` of FaceGate galleries ("FGgl").
    static let applicationID: Int64 = 0x4647_676C
    /// Schema version this build writes and reads.
    public static let schemaVersion = 1

    /// The configuration the store was opened with.
    public let config: Config
    private let writer: Mutex<SQLiteConnection>
    private let reader: Mutex<SQLiteConnection>

    /// Opens or creates the store.
    /// - Throws: `.foreignFile`, `.corrupted`, `.unsupportedVersion`, `.modelMismatch`,
    ///   `.invalidArgument` (empty model id, dimension < 1), `.storage`.
    public init(config: Config) throws(GalleryError) {
        guard config.dimension >= 1, !config.modelID.isEmpty else {
            throw GalleryError(.invalidArgument, "a gallery needs a model id and a dimension >= 1")
        }
        self.config = config
        let w = try SQLiteConnection(path: config.path, readOnly: false, create: true, busyTimeoutMS: config.busyTimeoutMS)
        try Self.prepareSchema(w, config: config)
        let r = try SQLiteConnection(path: config.path, readOnly: true, create: false, busyTimeoutMS: config.busyTimeoutMS)
        try r.execute("PRAGMA query_only=ON")
        writer = Mutex(w)
        reader = Mutex(r)
    }

    deinit {
        // Reader first, so the writer closes last and checkpoints the WAL into the file.
        reader.withLock { $0.close() }
        writer.withLock { $0.close() }
    }

    /// Copies committed WAL content into the database file and empties the WAL, so erased
    /// pages leave no trace in the journal. Best effort while readers hold old snapshots.
    private static func checkpoint(_ c: SQLiteConnection) {
        try? c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    }

    private static func scalar(_ c: SQLiteConnection, _ sql: String) throws(GalleryError) -> Int64 {
        let s = try c.prepare(sql)
        return try s.step() ? s.int64(0) : 0
    }

    private static func prepareSchema(_ c: SQLiteConnection, config: Config) throws(GalleryError) {
        // The first read of the header tells a non-SQLite file apart (SQLITE_NOTADB).
        let app = try scalar(c, "PRAGMA application_id")
        let tables = try scalar(c, "SELECT count(*) FROM sqlite_master")
        if app == 0 && tables == 0 {
            try c.execute("PRAGMA journal_mode=WAL")
            try c.execute("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON")
            try c.transaction { () throws(GalleryError) in
                try c.execute("""
                    PRAGMA application_id=\(applicationID);
                    PRAGMA user_version=\(schemaVersion);
                    CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
                    CREATE TABLE identities(
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        display_name TEXT NOT NULL,
                        created_us INTEGER NOT NULL);
                    CREATE TABLE identity_metadata(
                        identity_id INTEGER NOT NULL REFERENCES identities(id) ON DELETE CASCADE,
                        key TEXT NOT NULL, value TEXT NOT NULL,
                        PRIMARY KEY(identity_id, key)) WITHOUT ROWID;
                    CREATE TABLE faces(
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        identity_id INTEGER NOT NULL REFERENCES identities(id) ON DELETE CASCADE,
                        embedding BLOB NOT NULL,
                        model_id TEXT NOT NULL,
                        quality REAL,
                        created_us INTEGER NOT NULL);
                    CREATE INDEX faces_by_identity ON faces(identity_id, id);
                    """)
                let ins = try c.prepare("INSERT INTO meta(key, value) VALUES (?, ?)")
                try ins.bind("format", "facegate-gallery").run()
                try ins.bind("model_id", config.modelID).run()
                try ins.bind("dimension", String(config.dimension)).run()
                try ins.bind("created_us", String(nowMicros())).run()
            }
            return
        }
        guard app == applicationID else {
            throw GalleryError(.foreignFile, "\(config.path) is a SQLite database of another application (application_id \(app)), not a FaceGate gallery")
        }
        let version = try scalar(c, "PRAGMA user_version")
        guard version <= Int64(schemaVersion) else {
            throw GalleryError(.unsupportedVersion, "\(config.path) has gallery schema version \(version); this build reads up to \(schemaVersion)")
        }
        try c.execute("PRAGMA journal_mode=WAL")
        try c.execute("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON")
        if config.verifyOnOpen {
            let check = try c.prepare("PRAGMA quick_check")
            if try check.step(), check.text(0) != "ok" {
                throw GalleryError(.corrupted, "\(config.path) failed its integrity check: \(check.text(0))")
            }
        }
        let meta = try c.prepare("SELECT key, value FROM meta")
        var values: [String: String] = [:]
        while try meta.step() { values[meta.text(0)] = meta.text(1) }
        guard values["format"] == "facegate-gallery", let model = values["model_id"],
              let dim = values["dimension"].flatMap({ Int($0) }) else {
            throw GalleryError(.corrupted, "\(config.path) lacks its gallery metadata (format, model_id, dimension)")
        }
        guard model == config.modelID, dim == config.dimension else {
            throw GalleryError(.modelMismatch, "\(config.path) holds embeddings of model '\(model)' (dimension \(dim)); this server runs '\(config.modelID)' (dimension \(config.dimension)). Embeddings of different models cannot be compared: use another gallery file or re-enrol.")
        }
    }

    static func nowMicros() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1_000
    }

    // MARK: Writes (each returns after a durable commit)

    /// Creates an identity; returns it once committed.
    public func createIdentity(displayName: String, metadata: [String: String] = [:]) throws(GalleryError) -> IdentityRecord {
        let created = Self.nowMicros()
        return try writer.withLock { (c: inout SQLiteConnection) throws(GalleryError) -> IdentityRecord in
            try c.transaction { () throws(GalleryError) -> IdentityRecord in
                try c.prepare("INSERT INTO identities(display_name, created_us) VALUES (?, ?)").bind(displayName, created).run()
                let id = c.lastInsertRowID
                let meta = try c.prepare("INSERT INTO identity_metadata(identity_id, key, value) VALUES (?, ?, ?)")
                for (k, v) in metadata.sorted(by: { $0.key < $1.key }) { try meta.bind(id, k, v).run() }
                return IdentityRecord(id: id, displayName: displayName, metadata: metadata, createdMicros: created, faceCount: 0)
            }
        }
    }

    /// Adds faces to an identity in one transaction; returns them (with ids) once committed.
    /// All or nothing: a bad vector or a missing identity adds none.
    /// - Throws: `.notFound`, `.dimensionMismatch`, `.nonFiniteVector`, `.storage`.
    public func addFaces(_ faces: [NewFace], to identity: IdentityID) throws(GalleryError) -> [FaceRecord] {
        for f in faces { try checkVector(f.embedding, dimension: config.dimension) }
        let created = Self.nowMicros()
        let model = config.modelID
        return try writer.withLock { (c: inout SQLiteConnection) throws(GalleryError) -> [FaceRecord] in
            try c.transaction { () throws(GalleryError) -> [FaceRecord] in
                let exists = try c.prepare("SELECT 1 FROM identities WHERE id = ?").bind(identity)
                guard try exists.step() else { throw GalleryError(.notFound, "identity \(identity) does not exist") }
                let ins = try c.prepare("INSERT INTO faces(identity_id, embedding, model_id, quality, created_us) VALUES (?, ?, ?, ?, ?)")
                var out: [FaceRecord] = []
                for f in faces {
                    try ins.bind(identity, f.embedding, model, f.quality, created).run()
                    out.append(FaceRecord(id: c.lastInsertRowID, identity: identity, embedding: f.embedding,
                                          modelID: model, quality: f.quality, createdMicros: created))
                }
                return out
            }
        }
    }

    /// Deletes an identity and erases its embeddings; returns how many faces were erased.
    /// - Throws: `.notFound` when the identity does not exist.
    @discardableResult
    public func deleteIdentity(_ id: IdentityID) throws(GalleryError) -> Int {
        try writer.withLock { (c: inout SQLiteConnection) throws(GalleryError) -> Int in
            let erased = try c.transaction { () throws(GalleryError) -> Int in
                try c.prepare("DELETE FROM faces WHERE identity_id = ?").bind(id).run()
                let faces = c.changes
                try c.prepare("DELETE FROM identities WHERE id = ?").bind(id).run()
                guard c.changes == 1 else { throw GalleryError(.notFound, "identity \(id) does not exist") }
                return faces
            }
            defer { Self.checkpoint(c) }
            return erased
        }
    }

    /// Deletes one face and erases its embedding; returns the identity it belonged to.
    /// - Throws: `.notFound` when the face does not exist.
    @discardableResult
    public func deleteFace(_ id: FaceID) throws(GalleryError) -> IdentityID {
        try writer.withLock { (c: inout SQLiteConnection) throws(GalleryError) -> IdentityID in
            let owner = try c.transaction { () throws(GalleryError) -> IdentityID in
                let find = try c.prepare("SELECT identity_id FROM faces WHERE id = ?").bind(id)
                guard try find.step() else { throw GalleryError(.notFound, "face \(id) does not exist") }
                let owner = find.int64(0)
                try c.prepare("DELETE FROM faces WHERE id = ?").bind(id).run()
                return owner
            }
            Self.checkpoint(c)
            return owner
        }
    }

    // MARK: Reads (second connection; never block on a running write)

    /// One identity with its metadata and face count.
    /// - Throws: `.notFound`.
    public func identity(_ id: IdentityID) throws(GalleryError) -> IdentityRecord {
        try reader.withLock { (c: inout SQLiteConnection) throws(GalleryError) -> IdentityRecord in
            try c.transaction(readOnly: true) { () throws(GalleryError) -> IdentityRecord in
                guard let r = try Self.identities(c, after: id - 1, limit: 1).first, r.id == id else {
                    throw GalleryError(.notFound, "identity \(id) does not exist")
                }
                return r
            }
        }
    }

    /// Identities in ascending id order, `pageSize` at a time.
    /// - Parameter pageToken: nil for the first page, else the previous page's `nextPageToken`.
    /// - Throws: `.invalidArgument` for a page size outside 1...10,000 or a malformed token.
    public func listIdentities(pageSize: Int, pageToken: String? = nil) throws(GalleryError) -> Page<IdentityRecord> {
        guard (1...10_000).contains(pageSize) else {
            throw GalleryError(.invalidArgument, "page size must be in 1...10000, got \(pageSize)")
        }
        var after: Int64 = 0
        if let pageToken {
            guard pageToken.hasPrefix("i"), let v = Int64(pageToken.dropFirst()), v >= 0 else {
                throw GalleryError(.invalidArgument, "malformed page token")
            }
            after = v
        }
        let items = try reader.withLock { (c: inout SQLiteConnection) throws(GalleryError) -> [IdentityRecord] in
            try c.transaction(readOnly: true) { () throws(GalleryError) -> [IdentityRecord] in
                try Self.identities(c, after: after, limit: pageSize + 1)
            }
        }
        let more = items.count > pageSize
        let page = Array(items.prefix(pageSize))
        return Page(items: page, nextPageToken: more ? "i\(page[page.count - 1].id)" : nil)
    }

    private static func identities(_ c: SQLiteConnection, after: Int64, limit: Int) throws(GalleryError) -> [IdentityRecord] {
        let s = try c.prepare("""
            SELECT i.id, i.display_name, i.created_us, (SELECT count(*) FROM faces f WHERE f.identity_id = i.id)
            FROM identities i WHERE i.id > ? ORDER BY i.id LIMIT ?
            """).bind(after, limit)
        var out: [IdentityRecord] = []
        while try s.step() {
            out.append(IdentityRecord(id: s.int64(0), displayName: s.text(1), metadata: [:],
                                      createdMicros: s.int64(2), faceCount: Int(s.int64(3))))
        }
        let m = try c.prepare("SELECT key, value FROM identity_metadata WHERE identity_id = ?")
        for i in out.indices {
            try m.bind(out[i].id)
            while try m.step() { out[i].metadata[m.text(0)] = m.text(1) }
        }
        return out
    }

    /// The faces of one identity, ascending id.
    public func faces(of identity: IdentityID) throws(GalleryError) -> [FaceRecord] {
        try reader.withLock { (c: inout SQLiteConnection) throws(GalleryError) -> [FaceRecord] in
            let s = try c.prepare("SELECT id, identity_id, embedding, model_id, quality, created_us FROM faces WHERE identity_id = ? ORDER BY id").bind(identity)
            var out: [FaceRecord] = []
            while try s.step() { out.append(try decodeFace(s)) }
            return out
        }
    }

    private func decodeFace(_ s: SQLiteStatement) throws(GalleryError) -> FaceRecord {
        guard let e = s.floats(2), e.count == config.dimension else {
            throw GalleryError(.corrupted, "\(config.path): face \(s.int64(0)) has a malformed embedding blob")
        }
        return FaceRecord(id: s.int64(0), identity: s.int64(1), embedding: e, modelID: s.text(3),
                          quality: s.double(4).map(Float.init), createdMicros: s.int64(5))
    }

    /// Visits every face in ascending id order, `batch` at a time, in one read snapshot.
    public func forEachFace(batch: Int = 4096, _ body: ([FaceRecord]) throws(GalleryError) -> Void) throws(GalleryError) {
        try reader.withLock { (c: inout SQLiteConnection) throws(GalleryError) in
            try c.transaction(readOnly: true) { () throws(GalleryError) in
                let s = try c.prepare("SELECT id, identity_id, embedding, model_id, quality, created_us FROM faces ORDER BY id")
                var chunk: [FaceRecord] = []
                while try s.step() {
                    let f = try decodeFace(s)
                    guard f.modelID == config.modelID else {
                        throw GalleryError(.modelMismatch, "\(config.path): face \(f.id) comes from model '\(f.modelID)', not '\(config.modelID)'")
                    }
                    chunk.append(f)
                    if chunk.count == batch { try body(chunk); chunk.removeAll(keepingCapacity: true) }
                }
                if !chunk.isEmpty { try body(chunk) }
            }
        }
    }

    /// Counts and sizes.
    public func stats() throws(GalleryError) -> GalleryStats {
        try reader.withLock { (c: inout SQLiteConnection) throws(GalleryError) -> GalleryStats in
            try c.transaction(readOnly: true) { () throws(GalleryError) -> GalleryStats in
                let s = try c.prepare("""
                    SELECT (SELECT count(*) FROM identities), (SELECT count(*) FROM faces),
                           (SELECT page_count * page_size FROM pragma_page_count, pragma_page_size)
                    """)
                _ = try s.step()
                return GalleryStats(identities: Int(s.int64(0)), faces: Int(s.int64(1)), modelID: config.modelID,
                                    dimension: config.dimension, schemaVersion: Self.schemaVersion, fileBytes: Int(s.int64(2)))
            }
        }
    }

    /// Rebuilds a `SequentialIndex` from every stored face (start-up path).
    /// - Parameter fitBasis: false defers the PCA fit to a background refit (see
    ///   `SequentialIndex.init(dimension:config:vectors:faces:identities:fitBasis:)`).
    public func loadIndex(config indexConfig: SequentialIndex.Config = .init(), fitBasis: Bool = true) throws(GalleryError) -> SequentialIndex {
        var vectors: [Float] = []
        var faces: [FaceID] = []
        var identities: [IdentityID] = []
        try forEachFace { (chunk: [FaceRecord]) throws(GalleryError) in
            for f in chunk {
                vectors.append(contentsOf: f.embedding)
                faces.append(f.id)
                identities.append(f.identity)
            }
        }
        return try SequentialIndex(dimension: config.dimension, config: indexConfig, vectors: vectors, faces: faces,
                                   identities: identities, fitBasis: fitBasis)
    }
}
