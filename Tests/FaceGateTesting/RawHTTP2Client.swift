import CNGHTTP2
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A minimal blocking HTTP/2 client (nghttp2 client session over a POSIX socket) for talking
/// to a server with exact frames in tests: prior-knowledge h2c, one request at a time.
///
/// Not thread-safe. Owns its socket and nghttp2 session; `close()` (or deinit) frees both once.
public final class RawHTTP2Client {
    /// What came back on one stream.
    public struct Response: Sendable {
        /// Response header fields (HEADERS with `:status`).
        public var headers: [(String, String)] = []
        /// Trailer fields (a second HEADERS frame).
        public var trailers: [(String, String)] = []
        /// Concatenated DATA payload.
        public var body: [UInt8] = []
        /// RST_STREAM / close error code (0 = closed normally).
        public var closeErrorCode: UInt32 = 0
        /// Whether the stream was closed at all before the client gave up.
        public var closed = false

        /// First header (or trailer) value named `name`.
        public func value(_ name: String) -> String? {
            (headers + trailers).first { $0.0 == name }?.1
        }
    }

    /// Client failures.
    public struct Failure: Error, CustomStringConvertible {
        /// What went wrong.
        public var description: String
    }

    private var fd: Int32
    private var session: OpaquePointer?
    fileprivate var responses: [Int32: Response] = [:]
    /// PING frames received from the server (not acknowledgements).
    public fileprivate(set) var pingsReceived = 0
    fileprivate var bodies: [Int32: (bytes: [UInt8], offset: Int, endStream: Bool)] = [:]

    /// Connects to 127.0.0.1:`port` and sends the connection preface and SETTINGS.
    public init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard rc == 0 else {
            Glibc.close(fd)
            throw Failure(description: "connect failed: errno \(errno)")
        }
        var noDelay: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
        var callbacks: OpaquePointer?
        nghttp2_session_callbacks_new(&callbacks)
        defer { nghttp2_session_callbacks_del(callbacks) }
        nghttp2_session_callbacks_set_on_header_callback(callbacks) { _, frame, name, nameLength, value, valueLength, _, user in
            let client = Unmanaged<RawHTTP2Client>.fromOpaque(user!).takeUnretainedValue()
            let id = frame!.pointee.hd.stream_id
            let field = (String(decoding: UnsafeBufferPointer(start: name, count: nameLength), as: UTF8.self),
                         String(decoding: UnsafeBufferPointer(start: value, count: valueLength), as: UTF8.self))
            if frame!.pointee.headers.cat == NGHTTP2_HCAT_RESPONSE {
                client.responses[id, default: Response()].headers.append(field)
            } else {
                client.responses[id, default: Response()].trailers.append(field)
            }
            return 0
        }
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks) { _, _, id, data, length, user in
            let client = Unmanaged<RawHTTP2Client>.fromOpaque(user!).takeUnretainedValue()
            client.responses[id, default: Response()].body.append(contentsOf: UnsafeBufferPointer(start: data, count: length))
            return 0
        }
        nghttp2_session_callbacks_set_on_stream_close_callback(callbacks) { _, id, code, user in
            let client = Unmanaged<RawHTTP2Client>.fromOpaque(user!).takeUnretainedValue()
            client.responses[id, default: Response()].closed = true
            client.responses[id, default: Response()].closeErrorCode = code
            return 0
        }
        nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks) { _, frame, user in
            let client = Unmanaged<RawHTTP2Client>.fromOpaque(user!).takeUnretainedValue()
            if frame!.pointee.hd.type == UInt8(NGHTTP2_PING.rawValue), frame!.pointee.hd.flags & UInt8(NGHTTP2_FLAG_ACK.rawValue) == 0 {
                client.pingsReceived += 1
            }
            return 0
        }
        nghttp2_session_client_new(&session, callbacks, Unmanaged.passUnretained(self).toOpaque())
        nghttp2_submit_settings(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), nil, 0)
    }

    deinit { close() }

    /// Closes the socket and frees the session (idempotent).
    public func close() {
        if let session { nghttp2_session_del(session) }
        session = nil
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    /// Sends a request and reads until its stream closes (or `timeoutMilliseconds` of silence).
    public func request(path: String, contentType: String = "application/grpc",
                        extraHeaders: [(String, String)] = [], body: [UInt8],
                        timeoutMilliseconds: Int32 = 60_000) throws -> Response {
        let id = try start(path: path, contentType: contentType, extraHeaders: extraHeaders, body: body, endStream: true)
        try pump(until: { self.responses[id]?.closed == true }, timeoutMilliseconds: timeoutMilliseconds)
        return responses[id] ?? Response()
    }

    /// Opens a stream and queues `body` (ending the stream if `endStream`). Returns the stream id.
    public func start(path: String, contentType: String = "application/grpc",
                      extraHeaders: [(String, String)] = [], body: [UInt8], endStream: Bool) throws -> Int32 {
        let fields = [(":method", "POST"), (":scheme", "http"), (":path", path), (":authority", "localhost"),
                      ("content-type", contentType), ("te", "trailers")] + extraHeaders
        let total = fields.reduce(0) { $0 + $1.0.utf8.count + $1.1.utf8.count } + 1
        let storage = UnsafeMutablePointer<UInt8>.allocate(capacity: total)
        defer { storage.deallocate() }
        var offset = 0
        var nva: [nghttp2_nv] = []
        for (name, value) in fields {
            let nameStart = storage + offset
            for byte in name.utf8 { storage[offset] = byte; offset += 1 }
            let valueStart = storage + offset
            for byte in value.utf8 { storage[offset] = byte; offset += 1 }
            nva.append(nghttp2_nv(name: nameStart, value: valueStart, namelen: name.utf8.count,
                                  valuelen: value.utf8.count, flags: 0))
        }
        var provider = nghttp2_data_provider(source: nghttp2_data_source(ptr: nil)) { _, id, buffer, length, flags, _, user in
            let client = Unmanaged<RawHTTP2Client>.fromOpaque(user!).takeUnretainedValue()
            guard var pending = client.bodies[id] else { return Int(NGHTTP2_ERR_DEFERRED.rawValue) }
            let count = min(length, pending.bytes.count - pending.offset)
            pending.bytes.withUnsafeBytes { src in
                UnsafeMutableRawPointer(buffer!).copyMemory(from: src.baseAddress! + pending.offset, byteCount: count)
            }
            pending.offset += count
            client.bodies[id] = pending
            if pending.offset == pending.bytes.count {
                if pending.endStream {
                    flags!.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue
                } else if count == 0 {
                    return Int(NGHTTP2_ERR_DEFERRED.rawValue)
                }
            }
            return count
        }
        let id = nghttp2_submit_request(session, nil, &nva, nva.count, &provider, nil)
        guard id > 0 else { throw Failure(description: "submit_request failed: \(id)") }
        bodies[id] = (body, 0, endStream)
        try flush()
        return id
    }

    /// Sends RST_STREAM(CANCEL) on `stream`.
    public func reset(stream: Int32) throws {
        nghttp2_submit_rst_stream(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), stream, UInt32(NGHTTP2_CANCEL.rawValue))
        try flush()
    }

    /// Reads until `condition` holds or nothing arrives for `timeoutMilliseconds`.
    public func pump(until condition: () -> Bool, timeoutMilliseconds: Int32 = 60_000) throws {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !condition() {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, timeoutMilliseconds) > 0 else { throw Failure(description: "timed out waiting for the server") }
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw Failure(description: "connection closed by server") }
            let rc = buffer.withUnsafeBufferPointer { nghttp2_session_mem_recv(session, $0.baseAddress, n) }
            guard rc >= 0 else { throw Failure(description: "mem_recv failed: \(rc)") }
            try flush()
        }
    }

    /// A SETTINGS value the server sent (nghttp2's `NGHTTP2_SETTINGS_*` id).
    public func remoteSetting(_ id: nghttp2_settings_id) -> UInt32 {
        nghttp2_session_get_remote_settings(session, id)
    }

    /// How many request body bytes of `stream` nghttp2 has taken for sending so far.
    public func bodyBytesSent(_ stream: Int32) -> Int { bodies[stream]?.offset ?? 0 }

    /// The response collected so far on `stream`.
    public func response(_ stream: Int32) -> Response? { responses[stream] }

    /// Writes raw bytes to the socket, bypassing HTTP/2 framing.
    public func sendRaw(_ bytes: [UInt8]) throws {
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard n == bytes.count else { throw Failure(description: "short write") }
    }

    /// Reads until the server closes the connection; returns the bytes read before EOF.
    public func readUntilClosed(timeoutMilliseconds: Int32 = 60_000) throws -> [UInt8] {
        var all: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, timeoutMilliseconds) > 0 else { throw Failure(description: "server did not close") }
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return all }
            all.append(contentsOf: buffer[0..<n])
        }
    }

    private func flush() throws {
        while true {
            var pointer: UnsafePointer<UInt8>?
            let n = nghttp2_session_mem_send(session, &pointer)
            guard n >= 0 else { throw Failure(description: "mem_send failed: \(n)") }
            if n == 0 { return }
            var sent = 0
            while sent < n {
                let w = write(fd, pointer! + sent, n - sent)
                guard w > 0 else { throw Failure(description: "write failed") }
                sent += w
            }
        }
    }
}

/// Runs blocking client code on a thread of its own.
///
/// `RawHTTP2Client` blocks in `poll`; on a 2-core machine the cooperative pool has two threads,
/// so a test that blocks one while its server needs the pool (handlers off the event loop) can
/// starve when other tests block the other. Such tests run their client here.
public func onDedicatedThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.start()
    }
}
