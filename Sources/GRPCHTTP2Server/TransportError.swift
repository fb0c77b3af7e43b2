/// Errors of the transport domain, each with a stable code and a human message.
public struct TransportError: Error, Sendable, CustomStringConvertible {
    /// Stable error codes.
    public enum Code: String, Sendable {
        /// The listening socket could not be bound.
        case bindFailed = "transport.bind_failed"
        /// TLS material could not be loaded.
        case tlsConfiguration = "transport.tls_configuration"
        /// nghttp2 could not be initialised.
        case http2Initialisation = "transport.http2_init"
        /// A compressed message could not be inflated/deflated.
        case compression = "transport.compression"
    }

    /// The stable code.
    public var code: Code
    /// A human-readable message.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`.
    public var description: String { "\(code.rawValue): \(message)" }
}
