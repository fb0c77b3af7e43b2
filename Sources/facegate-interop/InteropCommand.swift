import ArgumentParser
import GRPCHTTP2Server
import GRPCHealth
import GRPCProtocol
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `facegate-interop`: serves grpc.testing.TestService for gRPC interop tests (tests only).
@main
struct InteropCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "facegate-interop",
        abstract: "Serves grpc.testing.TestService and grpc.health.v1.Health for interop tests."
    )

    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "TCP port to listen on (0 picks a free port and prints it).")
    var port: Int = 10000

    @Option(help: "TLS certificate chain (PEM); with --tls-key enables TLS with ALPN h2.")
    var tlsCert: String?

    @Option(help: "TLS private key (PEM).")
    var tlsKey: String?

    @Option(help: "Seconds in-flight calls may run after SIGTERM.")
    var drainGraceSeconds: Double = 10

    @Option(help: "Event-loop threads (0 = half the cores, at least 1).")
    var threads: Int = 0

    @Flag(help: "Run handlers on the global concurrent executor instead of the connection's event loop.")
    var handlersOffLoop = false

    @Option(help: "Log level (trace, debug, info, notice, warning, error, critical).")
    var logLevel: String = "info"

    func run() async throws {
        let terminate = TerminationSignal.install()
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = Logger.Level(rawValue: logLevel) ?? .info
            return handler
        }
        var config = GRPCServer.Config()
        config.host = host
        config.port = port
        config.threads = threads
        config.runHandlersOnEventLoop = !handlersOffLoop
        config.shutdown.drainGrace = .milliseconds(Int64(drainGraceSeconds * 1000))
        if let tlsCert, let tlsKey {
            config.tls = .init(certificatePath: tlsCert, privateKeyPath: tlsKey)
        }
        var router = Router()
        TestService().register(on: &router)
        HealthService().register(on: &router)
        let server = GRPCServer(config: config, router: router, logger: Logger(label: "facegate.interop"))
        let bound = try await server.start()
        print("listening on \(host):\(bound)")
        fflush(nil)  // nil flushes every stream, stdout included
        await server.runUntilTerminated(terminate)
    }
}
