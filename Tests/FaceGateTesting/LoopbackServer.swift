import GRPCHTTP2Server
import GRPCProtocol
import Logging

/// A real transport server on 127.0.0.1 with an OS-chosen port, for end-to-end tests.
public struct LoopbackServer: Sendable {
    /// The running server.
    public let server: GRPCServer
    /// Its port.
    public let port: Int

    /// Starts a server with `router` and `configure`d defaults, runs `body`, then shuts it down
    /// (also when `body` throws).
    public static func with<R: Sendable>(
        router: Router,
        configure: (inout GRPCServer.Config) -> Void = { _ in },
        _ body: (LoopbackServer) async throws -> R
    ) async throws -> R {
        var config = GRPCServer.Config()
        config.host = "127.0.0.1"
        config.port = 0
        config.threads = 1
        config.shutdown.drainGrace = .seconds(2)
        configure(&config)
        var logger = Logger(label: "facegate.test.loopback")
        logger.logLevel = .warning
        let server = GRPCServer(config: config, router: router, logger: logger)
        let port = try await server.start()
        do {
            let result = try await body(LoopbackServer(server: server, port: port))
            await server.shutdownGracefully()
            return result
        } catch {
            await server.shutdownGracefully()
            throw error
        }
    }
}

/// Frames one gRPC message (5-byte prefix + payload).
public func grpcFrame(_ message: [UInt8], compressed: Bool = false) -> [UInt8] {
    var out: [UInt8] = []
    MessageFramer.frame(message, compressed: compressed, into: &out)
    return out
}

/// Splits a response body into its gRPC messages (nil if the framing is broken).
public func grpcMessages(_ body: [UInt8]) -> [[UInt8]]? {
    var deframer = MessageDeframer(maxMessageBytes: Int(Int32.max))
    deframer.append(body)
    var messages: [[UInt8]] = []
    while let message = try? deframer.next() { messages.append(message.bytes) }
    return deframer.bufferedBytes == 0 ? messages : nil
}
