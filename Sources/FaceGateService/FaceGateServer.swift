import GRPCHTTP2Server
import GRPCHealth
import GRPCProtocol
import Logging

/// SIGTERM/SIGINT as an awaitable event (install before announcing the port).
public typealias TerminationSignal = GRPCHTTP2Server.TerminationSignal

/// The FaceGate server: `facegate.v1.FaceGate` plus `grpc.health.v1.Health` on the gRPC
/// transport.
///
/// Until the service issue implements them, every FaceGate method answers UNIMPLEMENTED
/// (immediately, never a hang) and Health reports SERVING for `""` and `facegate.v1.FaceGate`.
public final class FaceGateServer: Sendable {
    /// Server configuration; `main` only parses flags into it.
    public struct Config: Sendable {
        /// Address to listen on.
        public var host: String = "127.0.0.1"
        /// TCP port (0 picks a free one).
        public var port: Int = 50051
        /// TLS certificate chain (PEM); TLS is on when both paths are set.
        public var tlsCertificatePath: String? = nil
        /// TLS private key (PEM).
        public var tlsPrivateKeyPath: String? = nil
        /// Limits and tuning of the transport (message size, streams, windows, drain grace).
        public var transport = GRPCServer.Config()

        /// Creates the defaults.
        public init() {}

        /// The transport configuration with host, port and TLS applied.
        public var resolvedTransport: GRPCServer.Config {
            var resolved = transport
            resolved.host = host
            resolved.port = port
            if let tlsCertificatePath, let tlsPrivateKeyPath {
                resolved.tls = .init(certificatePath: tlsCertificatePath, privateKeyPath: tlsPrivateKeyPath)
            }
            return resolved
        }
    }

    /// The public service name.
    public static let serviceName = "facegate.v1.FaceGate"
    /// Methods of `facegate.v1.FaceGate` (Protos/facegate/v1/facegate.proto).
    public static let methods = [
        "EmbedOne", "Embed", "ClassifyOne", "Classify", "Enroll",
        "ListIdentities", "GetIdentity", "DeleteIdentity", "DeleteFace", "GetGalleryStats",
    ]

    /// The health service (set statuses to report readiness).
    public let health: HealthService
    private let server: GRPCServer
    private let logger: Logger

    /// Creates the server; nothing is bound until `start()`.
    public init(config: Config, logger: Logger = Logger(label: "facegate.server")) {
        let health = HealthService()
        health.setStatus(.serving, for: Self.serviceName)
        var router = Router()
        health.register(on: &router)
        router.registerUnimplemented(service: Self.serviceName, methods: Self.methods)
        self.health = health
        self.logger = logger
        self.server = GRPCServer(config: config.resolvedTransport, router: router, logger: logger)
    }

    /// Binds and starts serving; returns the bound port.
    /// - Throws: `TransportError` when the port cannot be bound or TLS files cannot be loaded.
    @discardableResult
    public func start() async throws -> Int { try await server.start() }

    /// Serves until `signal` fires, then drains in-flight calls (bounded) and returns.
    public func runUntilTerminated(_ signal: TerminationSignal) async {
        let number = await signal.wait()
        logger.info("signal received, draining", metadata: ["signal": "\(number)"])
        await shutdownGracefully()
        logger.info("drained, exiting")
    }

    /// Reports NOT_SERVING to health checkers, then drains and stops.
    public func shutdownGracefully() async {
        health.markAllNotServing()
        await server.shutdownGracefully()
    }
}
