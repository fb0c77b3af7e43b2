/// Ordered gRPC metadata (HTTP/2 header fields that are not pseudo or reserved headers).
///
/// Names are lower-case ASCII. Values of names ending in `-bin` are kept exactly as they arrived
/// on the wire (base64 text); callers that need the bytes decode them.
public struct Metadata: Sendable, Hashable, Sequence {
    /// One metadata entry.
    public struct Entry: Sendable, Hashable {
        /// Lower-case header name.
        public var name: String
        /// Header value as sent on the wire.
        public var value: String
        /// Creates an entry; `name` is lower-cased.
        public init(name: String, value: String) {
            // HTTP/2 names arrive lower-case already; only pay for lowercased() when needed.
            self.name = name.utf8.contains { $0 >= 0x41 && $0 <= 0x5A } ? name.lowercased() : name
            self.value = value
        }
    }

    /// Entries in arrival order.
    public private(set) var entries: [Entry]

    /// Creates empty metadata.
    public init() { entries = [] }

    /// Creates metadata from name/value pairs.
    public init(_ pairs: [(String, String)]) {
        entries = pairs.map { Entry(name: $0.0, value: $0.1) }
    }

    /// Appends one entry (duplicates allowed, as in HTTP/2).
    public mutating func add(_ name: String, _ value: String) {
        entries.append(Entry(name: name, value: value))
    }

    /// The first value stored under `name` (case-insensitive), or nil.
    public subscript(first name: String) -> String? {
        let key = name.utf8.contains { $0 >= 0x41 && $0 <= 0x5A } ? name.lowercased() : name
        return entries.first { $0.name == key }?.value
    }

    /// Whether there are no entries.
    public var isEmpty: Bool { entries.isEmpty }

    /// Iterates over entries in order.
    public func makeIterator() -> IndexingIterator<[Entry]> { entries.makeIterator() }

    /// Whether `name` is reserved by the transport (pseudo headers, `grpc-*`, HTTP/2 and
    /// content headers) and so must not be copied into application metadata.
    public static func isReserved(_ name: String) -> Bool {
        if name.hasPrefix(":") || name.hasPrefix("grpc-") { return true }
        switch name {
        case "content-type", "te", "user-agent", "content-length", "connection", "host",
             "transfer-encoding", "keep-alive", "upgrade", "accept-encoding":
            return true
        default:
            return false
        }
    }
}
