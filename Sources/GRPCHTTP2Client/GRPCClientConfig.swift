extension GRPCClient {
    /// Client configuration: nested values with documented defaults and units.
    public struct Config: Sendable {
        /// TLS with ALPN `h2`; nil speaks cleartext HTTP/2 with prior knowledge.
        public var tls: TLS? = nil
        /// Per-connection HTTP/2 settings.
        public var http2 = HTTP2()
        /// gRPC message limits.
        public var messages = Messages()
        /// How long `connect` waits for the TCP (and TLS) handshake.
        public var connectTimeout: Duration = .seconds(5)
        /// The `user-agent` header sent on every call.
        public var userAgent: String = "facegate-swift/1"

        /// TLS settings.
        public struct TLS: Sendable {
            /// PEM file of the certificate authorities to trust; nil uses the system's roots.
            public var caFilePath: String?
            /// Name checked against the server certificate and sent as SNI; nil uses the host.
            public var serverHostname: String?
            /// Creates TLS settings.
            public init(caFilePath: String? = nil, serverHostname: String? = nil) {
                self.caFilePath = caFilePath
                self.serverHostname = serverHostname
            }
        }

        /// HTTP/2 flow-control and buffering limits.
        public struct HTTP2: Sendable {
            /// SETTINGS_INITIAL_WINDOW_SIZE for response streams (bytes).
            public var streamWindowBytes: Int = 1 << 20
            /// Connection-level receive window (bytes).
            public var connectionWindowBytes: Int = 8 << 20
            /// Response bytes a call may hold unread before the client stops granting window
            /// (bytes; the peer then stops sending on that stream).
            public var responseBufferBytes: Int = 1 << 20
            /// Request bytes buffered per call before `send` suspends (bytes).
            public var requestHighWaterBytes: Int = 256 * 1024
            /// Creates defaults.
            public init() {}
        }

        /// gRPC message limits.
        public struct Messages: Sendable {
            /// Largest response message accepted (bytes; default 4 MiB). A larger one fails the
            /// call with `RESOURCE_EXHAUSTED`.
            public var maxResponseBytes: Int = 4 << 20
            /// Creates defaults.
            public init() {}
        }

        /// Creates the default configuration.
        public init() {}
    }
}
