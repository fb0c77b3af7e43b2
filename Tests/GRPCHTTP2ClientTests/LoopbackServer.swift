import GRPCHealth
import GRPCHTTP2Client
import GRPCHTTP2Server
import GRPCProtocol
import Synchronization

/// Server-side events the tests wait for (handler started, handler saw cancellation, ...).
final class Probe: Sendable {
    let events: AsyncStream<String>
    private let continuation: AsyncStream<String>.Continuation
    private let writeCount = Mutex(0)

    /// Messages the Produce handler has written so far.
    var writes: Int { writeCount.withLock { $0 } }

    func recordWrite() { writeCount.withLock { $0 += 1 } }

    init() {
        (events, continuation) = AsyncStream.makeStream(of: String.self)
    }

    func record(_ event: String) { continuation.yield(event) }

    /// Waits for the next event equal to `name` (skipping others).
    func wait(for name: String) async -> Bool {
        for await event in events where event == name { return true }
        return false
    }
}

/// A real `GRPCServer` on 127.0.0.1, port 0, serving a small test service, plus a connected
/// client. Both are shut down when `body` returns or throws.
func withLoopback<T>(
    serverConfig: (inout GRPCServer.Config) -> Void = { _ in },
    clientConfig: GRPCClient.Config = .init(),
    _ body: (GRPCClient, Probe) async throws -> T
) async throws -> T {
    let probe = Probe()
    var config = GRPCServer.Config()
    config.host = "127.0.0.1"
    config.port = 0
    config.threads = 1
    config.shutdown.drainGrace = .milliseconds(200)
    serverConfig(&config)
    let server = GRPCServer(config: config, router: TestService.router(probe: probe))
    let port = try await server.start()
    let client = GRPCClient(config: clientConfig)
    do {
        try await client.connect(host: "127.0.0.1", port: port)
        let result = try await body(client, probe)
        await client.close()
        await server.shutdownGracefully()
        return result
    } catch {
        await client.close()
        await server.shutdownGracefully()
        throw error
    }
}

/// The methods the client tests call.
enum TestService {
    static let unary = "/test.Echo/Unary"
    static let fail = "/test.Echo/Fail"
    static let bidi = "/test.Echo/Bidi"
    static let sleep = "/test.Echo/Sleep"
    static let produce = "/test.Echo/Produce"
    static let metadata = "/test.Echo/Metadata"

    static func router(probe: Probe) -> Router {
        var router = Router()
        router.registerUnary(MethodPath(path: unary)!) { request, _ in request }
        // Fail: the request is [code, utf8 message...].
        router.registerUnary(MethodPath(path: fail)!) { request, _ in
            let code = StatusCode(wireValue: Int(request.first ?? 2))
            throw RPCError(code, String(decoding: request.dropFirst(), as: UTF8.self))
        }
        router.register(MethodPath(path: bidi)!) { requests, writer, _ in
            for try await message in requests { try await writer.write(message) }
        }
        router.register(MethodPath(path: sleep)!) { requests, _, _ in
            _ = try await requests.single()
            probe.record("sleep-started")
            do {
                try await Task.sleep(for: .seconds(60))
            } catch {
                probe.record("sleep-cancelled")
                throw error
            }
        }
        // Produce: the request is [count (UInt16 BE), size (UInt32 BE)]; writes `count` messages
        // of `size` bytes, recording each write.
        router.register(MethodPath(path: produce)!) { requests, writer, _ in
            let request = try await requests.single()
            guard request.count == 6 else { throw RPCError(.invalidArgument, "want 6 bytes") }
            let count = Int(request[0]) << 8 | Int(request[1])
            let size = Int(request[2]) << 24 | Int(request[3]) << 16 | Int(request[4]) << 8 | Int(request[5])
            for index in 0..<count {
                try await writer.write([UInt8](repeating: UInt8(truncatingIfNeeded: index), count: size))
                probe.recordWrite()
            }
        }
        // Metadata: echoes request metadata `x-echo` into initial and trailing metadata.
        router.register(MethodPath(path: metadata)!) { requests, writer, context in
            _ = try await requests.single()
            let value = context.metadata[first: "x-echo"] ?? "missing"
            writer.setInitialMetadata(Metadata([("x-initial", value)]))
            writer.setTrailingMetadata(Metadata([("x-trailing", value)]))
            try await writer.write(Array(value.utf8))
        }
        let health = HealthService()
        health.register(on: &router)
        return router
    }

    static func produceRequest(count: Int, size: Int) -> [UInt8] {
        [UInt8(count >> 8), UInt8(count & 0xFF), UInt8(size >> 24), UInt8((size >> 16) & 0xFF),
         UInt8((size >> 8) & 0xFF), UInt8(size & 0xFF)]
    }
}

/// A deterministic byte generator (SplitMix64) for test payloads.
struct SeededBytes {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) } }
}
