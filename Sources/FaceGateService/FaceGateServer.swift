import FaceGateAPI
import GRPCHTTP2Server
import GRPCHealth
import GRPCProtocol
import Logging
import NIOPosix


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
    /// - Throws: when the address cannot be bound or the model/gallery cannot be loaded (the
    ///   server then drains and stops instead of staying NOT_SERVING forever).
    public func run(ready: @Sendable (Int) -> Void = { _ in }) async throws {
        // Installed before the port is announced, so an early SIGTERM is not lost.
        let terminate = TerminationSignal.install()
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

        let config = self.config
        let logger = self.logger
        // Serve until a signal, or until loading fails.
        let loadFailure: String? = await withTaskGroup(of: String?.self) { group in
            group.addTask {
                let number = await terminate.wait()
                logger.info("signal received, draining", metadata: ["signal": "\(number)"])
                return nil
            }
            group.addTask {
                do {
                    let runtime = try await FaceGateRuntime.load(config: config, metrics: metrics, logger: logger)
                    service.install(runtime)
                    health.setStatus(.serving, for: "")
                    health.setStatus(.serving, for: FaceGateMethod.serviceName)
                    logger.info("serving", metadata: ["address": "\(config.server.host):\(port)"])
                    // Keep this child alive until the signal child ends the group.
                    while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
                    return nil
                } catch {
                    logger.critical("cannot start serving: \(error)")
                    return "\(error)"
                }
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        health.enterTerminalState()
        await server.shutdownGracefully()
        await service.installed?.pipeline.shutDown()
        await endpoint?.close()
        logger.info("drained, exiting")
        if let loadFailure {
            throw ServiceError(.failedPrecondition, "the model or gallery could not be loaded: \(loadFailure)")
        }
    }
}
