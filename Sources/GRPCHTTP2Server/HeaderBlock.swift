import CNGHTTP2
import GRPCProtocol

/// A list of header fields laid out for `nghttp2_submit_*` (which copies them): names and values
/// live in one byte array, `nghttp2_nv` entries point into it for the duration of `withNV`.
struct HeaderBlock {
    private var storage: [UInt8] = []
    private var spans: [(name: Int, nameLength: Int, value: Int, valueLength: Int)] = []

    init() {
        storage.reserveCapacity(256)
    }

    /// Appends one field.
    mutating func add(_ name: String, _ value: String) {
        let nameStart = storage.count
        storage.append(contentsOf: name.utf8)
        let valueStart = storage.count
        storage.append(contentsOf: value.utf8)
        spans.append((nameStart, valueStart - nameStart, valueStart, storage.count - valueStart))
    }

    /// Appends application metadata, skipping reserved names.
    mutating func add(_ metadata: Metadata) {
        for entry in metadata where !Metadata.isReserved(entry.name) {
            add(entry.name, entry.value)
        }
    }

    /// Number of fields.
    var count: Int { spans.count }

    /// Calls `body` with an `nghttp2_nv` array valid only during the call.
    func withNV<R>(_ body: (UnsafePointer<nghttp2_nv>, Int) -> R) -> R {
        var bytes = storage
        if bytes.isEmpty { bytes.append(0) }
        return bytes.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            var nva = spans.map {
                nghttp2_nv(name: base + $0.name, value: base + $0.value, namelen: $0.nameLength,
                           valuelen: $0.valueLength, flags: UInt8(NGHTTP2_NV_FLAG_NONE.rawValue))
            }
            if nva.isEmpty {
                nva.append(nghttp2_nv(name: base, value: base, namelen: 0, valuelen: 0, flags: 0))
                return nva.withUnsafeBufferPointer { body($0.baseAddress!, 0) }
            }
            return nva.withUnsafeBufferPointer { body($0.baseAddress!, $0.count) }
        }
    }

    /// Response headers of a gRPC call.
    static func responseHeaders(metadata: Metadata, responseEncoding: String?) -> HeaderBlock {
        var block = HeaderBlock()
        block.add(":status", "200")
        block.add("content-type", "application/grpc")
        block.add("grpc-accept-encoding", "identity,gzip")
        if let responseEncoding { block.add("grpc-encoding", responseEncoding) }
        block.add(metadata)
        return block
    }

    /// Trailers carrying a status (`trailersOnly` also adds `:status` and `content-type`).
    static func trailers(status: RPCError?, metadata: Metadata, trailersOnly: Bool) -> HeaderBlock {
        var block = HeaderBlock()
        if trailersOnly {
            block.add(":status", "200")
            block.add("content-type", "application/grpc")
            block.add("grpc-accept-encoding", "identity,gzip")
        }
        block.add("grpc-status", status?.code.wireText ?? "0")
        if let status, !status.message.isEmpty {
            block.add("grpc-message", PercentEncoding.encode(status.message))
        }
        block.add(metadata)
        if let status { block.add(status.trailingMetadata) }
        return block
    }

    /// A bare HTTP response ending the stream (e.g. 415 for a non-gRPC content-type).
    static func httpStatus(_ status: Int) -> HeaderBlock {
        var block = HeaderBlock()
        block.add(":status", String(status))
        block.add("content-type", "text/plain")
        return block
    }
}

/// A constant header list built once and shared by every call (the common response headers and
/// OK trailers), so the per-call path allocates nothing for them.
///
/// `@unchecked Sendable`: the bytes and `nghttp2_nv` array are written once in `init` and only
/// read afterwards (nghttp2 copies them on submit); they are never freed (process lifetime).
final class PreparedHeaders: @unchecked Sendable {
    let nva: UnsafeMutablePointer<nghttp2_nv>
    let count: Int

    init(_ fields: [(String, String)]) {
        let total = fields.reduce(0) { $0 + $1.0.utf8.count + $1.1.utf8.count }
        let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: max(total, 1))
        nva = .allocate(capacity: max(fields.count, 1))
        count = fields.count
        var offset = 0
        for (index, (name, value)) in fields.enumerated() {
            let nameStart = bytes + offset
            for byte in name.utf8 { bytes[offset] = byte; offset += 1 }
            let valueStart = bytes + offset
            for byte in value.utf8 { bytes[offset] = byte; offset += 1 }
            (nva + index).initialize(to: nghttp2_nv(name: nameStart, value: valueStart, namelen: name.utf8.count,
                                                    valuelen: value.utf8.count,
                                                    flags: UInt8(NGHTTP2_NV_FLAG_NONE.rawValue)))
        }
    }

    /// `:status 200`, gRPC content-type and accepted encodings.
    static let response = PreparedHeaders([(":status", "200"), ("content-type", "application/grpc"),
                                           ("grpc-accept-encoding", "identity,gzip")])
    /// As `response`, announcing gzip-compressed response messages.
    static let responseGzip = PreparedHeaders([(":status", "200"), ("content-type", "application/grpc"),
                                               ("grpc-accept-encoding", "identity,gzip"), ("grpc-encoding", "gzip")])
    /// `grpc-status: 0`.
    static let okTrailers = PreparedHeaders([("grpc-status", "0")])
}

/// Either a per-call header list or a shared constant one.
enum ResponseHeaders {
    case built(HeaderBlock)
    case prepared(PreparedHeaders)

    func withNV<R>(_ body: (UnsafePointer<nghttp2_nv>, Int) -> R) -> R {
        switch self {
        case .built(let block): block.withNV(body)
        case .prepared(let prepared): body(prepared.nva, prepared.count)
        }
    }
}
