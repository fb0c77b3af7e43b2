import GRPCProtocol
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// A gRPC server over HTTP/2 (nghttp2) on SwiftNIO: cleartext with prior knowledge, or TLS with
/// ALPN `h2`.
///
/// Lifecycle: `start()` binds and returns the port; `shutdownGracefully()` stops accepting,
/// sends GOAWAY, lets in-flight calls finish for `config.shutdown.drainGrace`, then closes what
/// is left. Thread-safe.
public final class GRPCServer: Sendable {
    /// The configuration the server was created with.
    public let config: Config
    private let router: Router
    let logger: Logger
    private let group: MultiThreadedEventLoopGroup
    private let registry = ConnectionRegistry()
    private let listener = NIOLockedValueBox<(any Channel)?>(nil)

    /// Creates a server; nothing is bound until `start()`.
    public init(config: Config, router: Router, logger: Logger = Logger(label: "facegate.transport")) {
        self.config = config
        self.router = router
        self.logger = logger
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: config.resolvedThreads)
    }

    /// Binds the listening socket and starts serving.
    /// - Returns: the bound TCP port (useful with `port: 0`).
    /// - Throws: `TransportError` (`bindFailed`, `tlsConfiguration`).
    @discardableResult
    public func start() async throws -> Int {
        let sslContext = try makeSSLContext()
        let config = self.config
        let router = self.router
        let logger = self.logger
        let registry = self.registry
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 4)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext))
                    }
                    try channel.pipeline.syncOperations.addHandler(
                        HTTP2ServerConnection(loop: channel.eventLoop, config: config, router: router,
                                              logger: logger, registry: registry))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(host: config.host, port: config.port).get()
        } catch {
            throw TransportError(.bindFailed, "cannot listen on \(config.host):\(config.port): \(error)")
        }
        listener.withLockedValue { $0 = channel }
        let port = channel.localAddress?.port ?? config.port
        logger.info("serving gRPC", metadata: ["host": "\(config.host)", "port": "\(port)",
                                               "tls": "\(config.tls != nil)"])
        return port
    }

    /// The bound port, once started.
    public var boundPort: Int? {
        listener.withLockedValue { $0?.localAddress?.port }
    }

    /// Number of open client connections.
    public var connectionCount: Int { registry.count }

    /// Stops accepting, sends GOAWAY on every connection, waits up to the drain grace for
    /// in-flight calls, then closes everything and stops the event loops.
    public func shutdownGracefully() async {
        let channel = listener.withLockedValue { value -> (any Channel)? in
            defer { value = nil }
            return value
        }
        try? await channel?.close()
        registry.forEach { $0.beginGracefulShutdown() }
        let clock = ContinuousClock()
        let end = clock.now.advanced(by: config.shutdown.drainGrace)
        while registry.count > 0 && clock.now < end {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if registry.count > 0 {
            logger.warning("drain grace over, closing connections", metadata: ["connections": "\(registry.count)"])
            registry.forEach { $0.forceClose() }
            let hardEnd = clock.now.advanced(by: .seconds(1))
            while registry.count > 0 && clock.now < hardEnd {
                try? await Task.sleep(for: .milliseconds(10))
            }
        }
        try? await group.shutdownGracefully()
    }

    private func makeSSLContext() throws -> NIOSSLContext? {
        guard let tls = config.tls else { return nil }
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(tls.certificatePath).map { NIOSSLCertificateSource.certificate($0) }
            var configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: chain, privateKey: .privateKey(try NIOSSLPrivateKey(file: tls.privateKeyPath, format: .pem)))
            configuration.applicationProtocols = ["h2"]
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw TransportError(.tlsConfiguration, "cannot load TLS certificate/key: \(error)")
        }
    }
}
