import GRPCProtocol
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// A gRPC client over one HTTP/2 connection (nghttp2 client session on SwiftNIO): cleartext
/// with prior knowledge, or TLS with ALPN `h2`.
///
/// Many calls run concurrently on the one connection (up to the server's
/// SETTINGS_MAX_CONCURRENT_STREAMS; nghttp2 queues the rest). Calls fail with `RPCError`
/// carrying the server's `grpc-status` and decoded `grpc-message`. Thread-safe.
public final class GRPCClient: Sendable {
    /// The configuration the client was created with.
    public let config: Config
    private let logger: Logger
    private let group: any EventLoopGroup
    private let ownsGroup: Bool
    private let state = NIOLockedValueBox<(channel: any Channel, connection: HTTP2ClientConnection)?>(nil)

    /// Creates a client; nothing is connected until `connect`.
    /// - Parameter group: event loops to use; nil creates (and later shuts down) one thread.
    public init(config: Config = Config(), group: (any EventLoopGroup)? = nil,
                logger: Logger = Logger(label: "facegate.client")) {
        self.config = config
        self.logger = logger
        if let group {
            self.group = group
            self.ownsGroup = false
        } else {
            self.group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            self.ownsGroup = true
        }
    }

    /// Opens the connection and waits for the server's HTTP/2 SETTINGS (TLS handshake included).
    /// - Throws: `ClientTransportError` (`connectFailed`, `tlsConfiguration`).
    public func connect(host: String, port: Int) async throws {
        let sslContext = try makeSSLContext()
        let serverHostname = config.tls?.serverHostname ?? host
        let config = self.config
        let logger = self.logger
        let authority = "\(host):\(port)"
        let bootstrap = ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(TimeAmount(config.connectTimeout))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        let hostname = serverHostname.first?.isNumber == true ? nil : serverHostname
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: sslContext, serverHostname: hostname))
                    }
                    try channel.pipeline.syncOperations.addHandler(
                        HTTP2ClientConnection(loop: channel.eventLoop, config: config, authority: authority, logger: logger))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: host, port: port).get()
        } catch {
            throw ClientTransportError(.connectFailed, "cannot connect to \(host):\(port): \(error)")
        }
        let connection: HTTP2ClientConnection
        do {
            connection = try await channel.pipeline.handler(type: HTTP2ClientConnection.self).get()
        } catch {
            // The pipeline is already gone: the TLS handshake or the session set-up failed.
            throw ClientTransportError(.connectFailed, "connection to \(host):\(port) closed during set-up")
        }
        // Wait for the server's SETTINGS so that the first calls respect its stream limit
        // (streams opened before it arrives could be refused).
        let timeout = channel.eventLoop.scheduleTask(in: TimeAmount(config.connectTimeout)) {
            connection.settingsReceived.fail(
                ClientTransportError(.connectFailed, "no HTTP/2 SETTINGS from \(host):\(port) within \(config.connectTimeout)"))
        }
        do {
            try await connection.settingsReceived.futureResult.get()
            timeout.cancel()
        } catch {
            timeout.cancel()
            try? await channel.close()
            throw error as? ClientTransportError ?? ClientTransportError(.connectFailed, "\(error)")
        }
        let previous = state.withLockedValue { value in
            defer { value = (channel, connection) }
            return value
        }
        if let previous { try? await previous.channel.close() }
    }

    /// Closes the connection (open calls fail with UNAVAILABLE) and, if the client created its
    /// event loop, shuts it down. The client cannot be reused afterwards.
    public func close() async {
        let current = state.withLockedValue { value in
            defer { value = nil }
            return value
        }
        if let current {
            current.connection.loop.execute { current.connection.close() }
            try? await current.channel.closeFuture.get()
        }
        if ownsGroup { try? await group.shutdownGracefully() }
    }

    /// Whether the connection is open.
    public var isConnected: Bool {
        state.withLockedValue { $0?.channel.isActive ?? false }
    }

    // MARK: Calls

    /// A unary call: one request message, one response message.
    /// - Parameters:
    ///   - path: `/package.Service/Method`.
    ///   - timeout: sent as `grpc-timeout` and enforced locally (DEADLINE_EXCEEDED).
    /// - Throws: `RPCError` (the server's status, or CANCELLED when the task is cancelled,
    ///   UNAVAILABLE when not connected).
    public func unary(_ path: String, request: [UInt8], metadata: Metadata = Metadata(),
                      timeout: Duration? = nil) async throws -> [UInt8] {
        let call = try startCall(path, metadata: metadata, timeout: timeout)
        return try await withTaskCancellationHandler {
            try await call.requests.send(request)
            call.requests.finish()
            var iterator = call.responses.makeAsyncIterator()
            guard let response = try await iterator.next() else {
                throw RPCError(.internal, "unary call ended without a response message")
            }
            guard try await iterator.next() == nil else {
                throw RPCError(.internal, "unary call returned more than one response message")
            }
            return response
        } onCancel: {
            call.cancel()
        }
    }

    /// A server-streaming call: one request message, the responses as an async sequence.
    public func serverStreaming(_ path: String, request: [UInt8], metadata: Metadata = Metadata(),
                                timeout: Duration? = nil) async throws -> ResponseMessages {
        let call = try startCall(path, metadata: metadata, timeout: timeout)
        try await call.requests.send(request)
        call.requests.finish()
        return call.responses
    }

    /// Starts a bidirectional-streaming call (also client streaming: send, finish, read one).
    /// - Throws: `RPCError(.unavailable)` when not connected.
    public func bidirectionalStreaming(_ path: String, metadata: Metadata = Metadata(),
                                       timeout: Duration? = nil) throws -> ClientCall {
        try startCall(path, metadata: metadata, timeout: timeout)
    }

    private func startCall(_ path: String, metadata: Metadata, timeout: Duration?) throws -> ClientCall {
        guard let connection = state.withLockedValue({ $0?.connection }) else {
            throw RPCError(.unavailable, "not connected")
        }
        let stream = ClientStream(connection: connection, config: config)
        connection.loop.execute { connection.start(stream, path: path, metadata: metadata, timeout: timeout) }
        return ClientCall(stream: stream)
    }

    private func makeSSLContext() throws -> NIOSSLContext? {
        guard let tls = config.tls else { return nil }
        do {
            var configuration = TLSConfiguration.makeClientConfiguration()
            if let caFile = tls.caFilePath {
                configuration.trustRoots = .file(caFile)
            }
            configuration.applicationProtocols = ["h2"]
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw ClientTransportError(.tlsConfiguration, "cannot set up TLS: \(error)")
        }
    }
}
