import ArgumentParser
import FaceGateService
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `facegate serve`: runs the gRPC server until SIGTERM, then drains and exits 0.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve facegate.v1.FaceGate and grpc.health.v1.Health over gRPC."
    )

    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "TCP port (0 picks a free port and prints it).")
    var port: Int = 50051

    @Option(help: "TLS certificate chain (PEM); with --tls-key enables TLS with ALPN h2.")
    var tlsCert: String?

    @Option(help: "TLS private key (PEM).")
    var tlsKey: String?

    @Option(help: "Largest request message accepted, in bytes.")
    var maxMessageBytes: Int = 4 << 20

    @Option(help: "SETTINGS_MAX_CONCURRENT_STREAMS per connection.")
    var maxConcurrentStreams: Int = 100

    @Option(help: "Seconds in-flight calls may run after SIGTERM.")
    var drainGraceSeconds: Double = 10

    @Option(help: "Log level (trace, debug, info, notice, warning, error, critical).")
    var logLevel: String = "info"

    func run() async throws {
        let terminate = TerminationSignal.install()
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = Logger.Level(rawValue: logLevel) ?? .info
            return handler
        }
        var config = FaceGateServer.Config()
        config.host = host
        config.port = port
        config.tlsCertificatePath = tlsCert
        config.tlsPrivateKeyPath = tlsKey
        config.transport.messages.maxReceiveBytes = maxMessageBytes
        config.transport.http2.maxConcurrentStreams = maxConcurrentStreams
        config.transport.shutdown.drainGrace = .milliseconds(Int64(drainGraceSeconds * 1000))
        let server = FaceGateServer(config: config)
        let bound = try await server.start()
        print("listening on \(host):\(bound)")
        fflush(nil)  // nil flushes every stream, stdout included
        await server.runUntilTerminated(terminate)
    }
}
