import ArgumentParser

/// `facegate-interop`: serves grpc.testing.TestService for gRPC interop tests (tests only).
@main
struct InteropCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "facegate-interop",
        abstract: "Serves grpc.testing.TestService and grpc.health.v1.Health for interop tests."
    )

    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "TCP port to listen on.")
    var port: Int = 10000
}
