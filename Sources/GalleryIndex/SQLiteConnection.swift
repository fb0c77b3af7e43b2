import CSQLite

/// Owner of one `sqlite3*` connection and its prepared statements (not thread-safe: the
/// `GalleryStore` serialises each connection behind a mutex).
///
/// Every SQLite return code is checked where it is produced; failures become a `GalleryError`
/// naming the file: `SQLITE_NOTADB` -> `.foreignFile`, `SQLITE_CORRUPT` -> `.corrupted`, the rest
/// -> `.storage`.
final class SQLiteConnection {
    let path: String
    private var db: OpaquePointer?

    /// Opens (and with `create`, creates) the database file.
    init(path: String, readOnly: Bool, create: Bool, busyTimeoutMS: Int32) throws(GalleryError) {
        self.path = path
        var flags = SQLITE_OPEN_NOMUTEX
        flags |= readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE
        if create && !readOnly { flags |= SQLITE_OPEN_CREATE }
        var handle: OpaquePointer?
        let rc = sqlite3_open_v2(path, &handle, flags, nil)
        db = handle
        if rc != SQLITE_OK {
            let e = error(rc, "open")
            sqlite3_close_v2(handle)
            db = nil
            throw e
        }
        sqlite3_extended_result_codes(handle, 1)
        sqlite3_busy_timeout(handle, busyTimeoutMS)
    }

    deinit { close() }

    /// Closes the connection (idempotent). The last writer to close checkpoints the WAL.
    func close() {
        sqlite3_close_v2(db)
        db = nil
    }

    /// Maps a SQLite result code to the gallery error type.
    func error(_ rc: Int32, _ what: String) -> GalleryError {
        let primary = rc & 0xff
        let detail = db.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(rc))
        switch primary {
        case SQLITE_NOTADB:
            return GalleryError(.foreignFile, "\(path) is not a FaceGate gallery: not a SQLite database or its header is damaged (\(detail))")
        case SQLITE_CORRUPT:
            return GalleryError(.corrupted, "\(path) is corrupted (\(what): \(detail))")
        default:
            return GalleryError(.storage, "\(path): \(what) failed: \(detail) (SQLite code \(rc))")
        }
    }

    /// Runs SQL without results (several statements allowed).
    func execute(_ sql: String) throws(GalleryError) {
        let rc = sqlite3_exec(db, sql, nil, nil, nil)
        guard rc == SQLITE_OK else { throw error(rc, sql.prefix(40).description) }
    }

    /// Prepares one statement.
    func prepare(_ sql: String) throws(GalleryError) -> SQLiteStatement {
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v2(db, sql, -1, &stmt, nil)
        guard rc == SQLITE_OK, let stmt else { throw error(rc, "prepare \(sql.prefix(40))") }
        return SQLiteStatement(stmt, connection: self)
    }

    /// Runs `body` in `BEGIN IMMEDIATE ... COMMIT`; rolls back if it throws. Returns once the
    /// commit is durable (WAL + synchronous=FULL).
    func transaction<T>(readOnly: Bool = false, _ body: () throws(GalleryError) -> T) throws(GalleryError) -> T {
        // A write takes the lock up front (no upgrade deadlocks); a read is one WAL snapshot.
        try execute(readOnly ? "BEGIN" : "BEGIN IMMEDIATE")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Row id of the last insert on this connection.
    var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(db) }
    /// Rows changed by the last statement.
    var changes: Int { Int(sqlite3_changes(db)) }
}

/// Owner of one prepared statement; finalised on deinit.
final class SQLiteStatement {
    private let stmt: OpaquePointer
    private let connection: SQLiteConnection

    init(_ stmt: OpaquePointer, connection: SQLiteConnection) {
        self.stmt = stmt
        self.connection = connection
    }

    deinit { sqlite3_finalize(stmt) }

    /// Binds parameters by position (1-based): Int64, Int, Double, Float, String, [Float] (blob), nil.
    @discardableResult
    func bind(_ values: Any?...) throws(GalleryError) -> SQLiteStatement {
        sqlite3_reset(stmt)
        sqlite3_clear_bindings(stmt)
        for (i, v) in values.enumerated() {
            let p = Int32(i + 1)
            let rc: Int32
            switch v {
            case nil: rc = sqlite3_bind_null(stmt, p)
            case let x as Int64: rc = sqlite3_bind_int64(stmt, p, x)
            case let x as Int: rc = sqlite3_bind_int64(stmt, p, Int64(x))
            case let x as Double: rc = sqlite3_bind_double(stmt, p, x)
            case let x as Float: rc = sqlite3_bind_double(stmt, p, Double(x))
            case let x as String: rc = sqlite3_bind_text(stmt, p, x, -1, fg_sqlite_transient())
            case let x as [Float]:
                rc = x.withUnsafeBytes { sqlite3_bind_blob(stmt, p, $0.baseAddress, Int32($0.count), fg_sqlite_transient()) }
            default: rc = SQLITE_MISUSE
            }
            guard rc == SQLITE_OK else { throw connection.error(rc, "bind parameter \(p)") }
        }
        return self
    }

    /// Advances; true while a row is available.
    func step() throws(GalleryError) -> Bool {
        let rc = sqlite3_step(stmt)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        throw connection.error(rc, "step")
    }

    /// Runs to completion, ignoring rows.
    func run() throws(GalleryError) { while try step() {} }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(stmt, column) }
    func double(_ column: Int32) -> Double? {
        sqlite3_column_type(stmt, column) == SQLITE_NULL ? nil : sqlite3_column_double(stmt, column)
    }
    func text(_ column: Int32) -> String {
        sqlite3_column_text(stmt, column).map { String(cString: $0) } ?? ""
    }
    /// A float32 blob column; nil when its length is not a whole number of floats.
    func floats(_ column: Int32) -> [Float]? {
        let n = Int(sqlite3_column_bytes(stmt, column))
        guard n % 4 == 0 else { return nil }
        guard n > 0, let p = sqlite3_column_blob(stmt, column) else { return n == 0 ? [] : nil }
        return [Float](unsafeUninitializedCapacity: n / 4) { buf, count in
            UnsafeMutableRawBufferPointer(buf).copyMemory(from: UnsafeRawBufferPointer(start: p, count: n))
            count = n / 4
        }
    }
}
