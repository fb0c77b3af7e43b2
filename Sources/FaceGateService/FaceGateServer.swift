import FaceGateAPI
import GRPCHTTP2Server
import GRPCHealth
import GRPCProtocol
import Logging
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The whole server: gRPC transport, `facegate.v1.FaceGate`, health and the metrics endpoint.
///
/// It listens at once and reports `NOT_SERVING` while the model and gallery load, then
/// `SERVING`. SIGTERM drains in-flight calls (bounded by `server.shutdown.drainGrace`).
public final class FaceGateServer: Sendable {
    /// The configuration in force.
    public let config: ServiceConfig
    private let logger: Logger

    /// Creates a server (no I/O yet).
    public init(config: ServiceConfig, logger: Logger = Logger(label: "facegate.serve")) {
        self.config = config
        self.logger = logger
    }

    /// Serves until SIGTERM/SIGINT; returns after a graceful drain.
    /// - Parameter ready: called with the bound gRPC port once listening.
    /// - Throws: when the address cannot be bound or the model/gallery cannot be loaded.
    public func run(ready: @Sendable (Int) -> Void = { _ in }) async throws {
        let metrics = ServiceMetrics()
        let health = HealthService()
        health.setStatus(.notServing, for: "")
        health.setStatus(.notServing, for: FaceGateMethod.serviceName)
        let service = FaceGateService(metrics: metrics)
        var router = Router()
        health.register(on: &router)
        service.register(on: &router)
        let server = GRPCServer(config: config.server, router: router, logger: Logger(label: "facegate.transport"))
        let port = try await server.start()
        ready(port)

        var endpoint: MetricsEndpoint? = nil
        if let metricsPort = config.metrics.port {
            endpoint = try await MetricsEndpoint.start(
                host: config.metrics.host, port: metricsPort, metrics: metrics, group: MultiThreadedEventLoopGroup.singleton,
                logger: logger)
        }

        let loader = Task {
            do {
                let runtime = try await FaceGateRuntime.load(config: config, metrics: metrics, logger: logger)
                service.install(runtime)
                health.setStatus(.serving, for: "")
                health.setStatus(.serving, for: FaceGateMethod.serviceName)
                logger.info("serving", metadata: ["address": "\(config.server.host):\(port)"])
                return true
            } catch {
                logger.critical("cannot start serving: \(error)")
                kill(getpid(), SIGTERM)
                return false
            }
        }
        await server.runUntilTerminated()
        loader.cancel()
        let loaded = await loader.value
        await service.installed?.pipeline.shutDown()
        await endpoint?.close()
        if !loaded { throw ServiceError(.failedPrecondition, "the model or gallery could not be loaded (see the log above)") }
    }
}
