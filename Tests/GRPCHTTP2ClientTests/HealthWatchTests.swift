import GRPCHTTP2Client
import GRPCHTTP2Server
import GRPCHealth
import GRPCProtocol
import Testing

/// `grpc.health.v1.Health/Watch` over a real server and client: updates stream out, and at
/// shutdown open watches get NOT_SERVING and end with UNAVAILABLE instead of holding the drain.
@Suite struct HealthWatchTests {
    static let watch = "/grpc.health.v1.Health/Watch"
    /// `HealthCheckResponse { status }` bytes for a status number.
    static func response(_ status: UInt8) -> [UInt8] { [0x08, status] }

    @Test func watchStreamsUpdatesAndEndsAtShutdown() async throws {
        let health = HealthService()
        var router = Router()
        health.register(on: &router)
        var config = GRPCServer.Config()
        config.port = 0
        config.threads = 1
        // Long enough that a watch still open at shutdown would be seen as a slow drain.
        config.shutdown.drainGrace = .seconds(60)
        let server = GRPCServer(config: config, router: router)
        let port = try await server.start()
        let client = GRPCClient()
        try await client.connect(host: "127.0.0.1", port: port)
        let responses = try await client.serverStreaming(Self.watch, request: [], timeout: .seconds(120))
        var iterator = responses.makeAsyncIterator()
        #expect(try await iterator.next() == Self.response(1))  // SERVING
        health.setStatus(.notServing, for: "")
        #expect(try await iterator.next() == Self.response(2))
        health.setStatus(.serving, for: "")
        #expect(try await iterator.next() == Self.response(1))

        health.enterTerminalState()
        #expect(try await iterator.next() == Self.response(2))
        let ended = await #expect(throws: RPCError.self) { _ = try await iterator.next() }
        #expect(ended?.code == .unavailable)
        // Statuses stay NOT_SERVING; a new watch is told so and ends at once.
        health.setStatus(.serving, for: "")
        #expect(health.status(of: "") == .notServing)
        let late = try await client.serverStreaming(Self.watch, request: [], timeout: .seconds(120))
        var lateIterator = late.makeAsyncIterator()
        #expect(try await lateIterator.next() == Self.response(2))
        await #expect(throws: RPCError.self) { _ = try await lateIterator.next() }

        // Nothing is left open, so the drain ends at once (not after the 60 s grace).
        let clock = ContinuousClock()
        let started = clock.now
        await server.shutdownGracefully()
        #expect(clock.now - started < .seconds(30))
        await client.close()
    }
}
