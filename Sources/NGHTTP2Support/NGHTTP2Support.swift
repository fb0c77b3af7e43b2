import CNGHTTP2
import NIOCore

/// The nghttp2 plumbing the server and the client connections share: creating a session, the
/// send loop that drains it, and the data-source copy. Each connection owns one session and
/// uses it on its event loop only.
public enum NGHTTP2Support {
    /// An nghttp2 call failed; `call` names it.
    public struct Failure: Error, CustomStringConvertible {
        /// The nghttp2 function that failed.
        public let call: String
        /// Its return code.
        public let code: Int

        /// "nghttp2_x failed (code)".
        public var description: String { "\(call) failed (\(code))" }
    }

    /// Which end of the connection a session is.
    public enum Role: Sendable {
        /// Accepts streams (`nghttp2_session_server_new2`).
        case server
        /// Opens streams (`nghttp2_session_client_new2`).
        case client
    }

    /// Creates a session: `install` sets the callbacks, `configure` the options (both objects
    /// are freed before this returns; nghttp2 copies them).
    public static func makeSession(
        _ role: Role, userData: UnsafeMutableRawPointer,
        install: (OpaquePointer) -> Void, configure: (OpaquePointer) -> Void
    ) throws(Failure) -> OpaquePointer {
        var callbacks: OpaquePointer?
        let callbacksCode = nghttp2_session_callbacks_new(&callbacks)
        guard callbacksCode == 0, let callbacks else { throw Failure(call: "nghttp2_session_callbacks_new", code: Int(callbacksCode)) }
        defer { nghttp2_session_callbacks_del(callbacks) }
        install(callbacks)
        var option: OpaquePointer?
        let optionCode = nghttp2_option_new(&option)
        guard optionCode == 0, let option else { throw Failure(call: "nghttp2_option_new", code: Int(optionCode)) }
        defer { nghttp2_option_del(option) }
        configure(option)
        var session: OpaquePointer?
        switch role {
        case .server:
            let code = nghttp2_session_server_new2(&session, callbacks, userData, option)
            guard code == 0, let session else { throw Failure(call: "nghttp2_session_server_new2", code: Int(code)) }
            return session
        case .client:
            let code = nghttp2_session_client_new2(&session, callbacks, userData, option)
            guard code == 0, let session else { throw Failure(call: "nghttp2_session_client_new2", code: Int(code)) }
            return session
        }
    }

    /// What the session wants to send, gathered into one buffer of about `limit` bytes at most
    /// (the caller flushes again while `nghttp2_session_want_write` says so); nil when nothing.
    /// Throws when nghttp2 fails: the connection must then be closed.
    public static func pendingOutput(
        _ session: OpaquePointer, allocator: ByteBufferAllocator, limit: Int = 1 << 20
    ) throws(Failure) -> ByteBuffer? {
        var out: ByteBuffer?
        while true {
            var pointer: UnsafePointer<UInt8>?
            let count = nghttp2_session_mem_send(session, &pointer)
            if count < 0 { throw Failure(call: "nghttp2_session_mem_send", code: count) }
            if count == 0 { break }
            if out == nil { out = allocator.buffer(capacity: max(count, 4096)) }
            out!.writeBytes(UnsafeRawBufferPointer(start: pointer, count: count))
            if out!.readableBytes >= limit { break }
        }
        return out
    }
}

extension ByteBuffer {
    /// Copies up to `length` readable bytes to `destination` and consumes them; returns how many
    /// (what an nghttp2 data-source read callback hands out).
    public mutating func moveReadableBytes(into destination: UnsafeMutablePointer<UInt8>, length: Int) -> Int {
        let count = min(length, readableBytes)
        guard count > 0 else { return 0 }
        withUnsafeReadableBytes { bytes in
            UnsafeMutableRawPointer(destination).copyMemory(from: bytes.baseAddress!, byteCount: count)
        }
        moveReaderIndex(forwardBy: count)
        return count
    }
}
