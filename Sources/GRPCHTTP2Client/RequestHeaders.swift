import CNGHTTP2
import GRPCProtocol

/// Request header fields laid out for `nghttp2_submit_request` (which copies them): names and
/// values live in one byte array; `nghttp2_nv` entries point into it during `withNV`.
struct RequestHeaders {
    private var storage: [UInt8] = []
    private var spans: [(name: Int, nameLength: Int, value: Int, valueLength: Int)] = []

    /// The headers of a gRPC call.
    init(path: String, authority: String, scheme: String, timeout: Duration?, userAgent: String, metadata: Metadata) {
        storage.reserveCapacity(256)
        add(":method", "POST")
        add(":scheme", scheme)
        add(":path", path)
        add(":authority", authority)
        add("content-type", "application/grpc")
        add("te", "trailers")
        add("user-agent", userAgent)
        if let timeout { add("grpc-timeout", GRPCTimeout.format(timeout)) }
        for entry in metadata where !Metadata.isReserved(entry.name) {
            add(entry.name, entry.value)
        }
    }

    private mutating func add(_ name: String, _ value: String) {
        let nameStart = storage.count
        storage.append(contentsOf: name.utf8)
        let valueStart = storage.count
        storage.append(contentsOf: value.utf8)
        spans.append((nameStart, valueStart - nameStart, valueStart, storage.count - valueStart))
    }

    /// Calls `body` with an `nghttp2_nv` array valid only during the call.
    func withNV<R>(_ body: (UnsafePointer<nghttp2_nv>, Int) -> R) -> R {
        var bytes = storage
        return bytes.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!  // never empty: the pseudo headers are always there
            let nva = spans.map {
                nghttp2_nv(name: base + $0.name, value: base + $0.value, namelen: $0.nameLength,
                           valuelen: $0.valueLength, flags: UInt8(NGHTTP2_NV_FLAG_NONE.rawValue))
            }
            return nva.withUnsafeBufferPointer { body($0.baseAddress!, $0.count) }
        }
    }
}
