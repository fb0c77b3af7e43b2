/// Why the client could not set up or keep a connection (calls themselves fail with `RPCError`).
public struct ClientTransportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Stable error codes.
    public enum Code: String, Sendable, Hashable {
        /// TCP connect (or TLS handshake) failed or timed out.
        case connectFailed
        /// TLS settings could not be loaded (CA file, context).
        case tlsConfiguration
        /// nghttp2 could not create the session.
        case http2Initialisation
        /// A call was started before `connect` or after `close`.
        case notConnected
    }

    /// The stable code.
    public let code: Code
    /// A human message.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`.
    public var description: String { "\(code.rawValue): \(message)" }
}
