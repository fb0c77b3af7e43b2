import GRPCProtocol
import NIOCore

extension GRPCServer {
    /// Server configuration: nested values with documented defaults and units.
    public struct Config: Sendable {
        /// Where to listen.
        public var host: String = "127.0.0.1"
        /// TCP port; 0 picks a free port (see `GRPCServer.boundPort`).
        public var port: Int = 50051
        /// TLS with ALPN `h2`; nil serves cleartext HTTP/2 with prior knowledge.
        public var tls: TLS? = nil
        /// Per-connection HTTP/2 limits.
        public var http2 = HTTP2()
        /// gRPC message limits and encodings.
        public var messages = Messages()
        /// Graceful shutdown.
        public var shutdown = Shutdown()
        /// Event-loop (I/O) threads; 0 means half the CPU cores, at least one: the rest are
        /// left to the engine and, on a loopback benchmark, to the load generator. (On this
        /// 2-core box one loop beat two at 8 connections: 107-110k vs 28-57k EmptyCall/s, p99
        /// 1 ms vs 10 ms, because two loops plus the client fight over two cores.)
        public var threads: Int = 0

        /// The thread count `threads` resolves to.
        public var resolvedThreads: Int {
            threads > 0 ? threads : max(1, System.coreCount / 2)
        }
        /// Run handler tasks on their connection's event loop (no thread hop per call; best for
        /// handlers that await other actors for heavy work). False runs them on the global
        /// concurrent executor (for handlers that compute inline).
        public var runHandlersOnEventLoop: Bool = true

        /// TLS material (PEM files).
        public struct TLS: Sendable {
            /// Certificate chain file (PEM).
            public var certificatePath: String
            /// Private key file (PEM).
            public var privateKeyPath: String
            /// Creates a TLS config from PEM file paths.
            public init(certificatePath: String, privateKeyPath: String) {
                self.certificatePath = certificatePath
                self.privateKeyPath = privateKeyPath
            }
        }

        /// HTTP/2 settings advertised and enforced by the server.
        public struct HTTP2: Sendable {
            /// SETTINGS_MAX_CONCURRENT_STREAMS (streams per connection).
            public var maxConcurrentStreams: Int = 100
            /// SETTINGS_MAX_HEADER_LIST_SIZE (bytes, as HTTP/2 counts: name + value + 32 each).
            public var maxHeaderListBytes: Int = 16 * 1024
            /// SETTINGS_INITIAL_WINDOW_SIZE for request streams (bytes).
            public var streamWindowBytes: Int = 1 << 20
            /// Connection-level receive window (bytes).
            public var connectionWindowBytes: Int = 8 << 20
            /// Response bytes buffered per stream before `write` suspends (bytes).
            public var streamOutboundHighWaterBytes: Int = 256 * 1024
            /// Server keepalive: send a PING this often; a connection that has not acknowledged
            /// the previous PING by the next one is closed. nil (default) sends none. Incoming
            /// PINGs are always answered; nghttp2 bounds queued acknowledgements (flood guard).
            public var keepaliveInterval: Duration? = nil
            /// Creates defaults.
            public init() {}
        }

        /// gRPC message handling.
        public struct Messages: Sendable {
            /// Largest request message accepted, after decompression (bytes; default 4 MiB).
            public var maxReceiveBytes: Int = 4 << 20
            /// Request encodings accepted besides identity.
            public var acceptedEncodings: [String] = ["gzip"]
            /// Creates defaults.
            public init() {}
        }

        /// Graceful shutdown (SIGTERM).
        public struct Shutdown: Sendable {
            /// How long in-flight calls may run after GOAWAY before connections are closed.
            public var drainGrace: Duration = .seconds(10)
            /// Creates defaults.
            public init() {}
        }

        /// Creates the default configuration.
        public init() {}
    }
}
