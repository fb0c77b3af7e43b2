import CNGHTTP2
import CZlib
import FaceGateTesting
import GRPCHTTP2Server
import GRPCProtocol
import Synchronization

/// Records handler events so tests can wait for "the handler saw cancellation".
final class Probe: Sendable {
    let events: AsyncStream<String>
    private let continuation: AsyncStream<String>.Continuation
    let written = Atomic<Int>(0)

    init() {
        (events, continuation) = AsyncStream.makeStream(of: String.self)
    }

    func record(_ event: String) { continuation.yield(event) }

    /// The first recorded event, or "none" if nothing happens within 60 s (a hang guard only).
    func next() async -> String {
        await withTaskGroup(of: String.self) { group in
            group.addTask { [events] in
                for await event in events { return event }
                return "finished"
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(60))
                return "none"
            }
            let first = await group.next()!
            group.cancelAll()
            return first
        }
    }
}

func testRouter(_ probe: Probe) -> Router {
    var router = Router()
    router.registerUnary(MethodPath(service: "test.Echo", method: "Unary")) { request, _ in request }
    router.registerClientStreaming(MethodPath(service: "test.Echo", method: "Sum")) { requests, _ in
        var count = 0
        var bytes = 0
        for try await message in requests {
            count += 1
            bytes += message.count
        }
        return Array("\(count) \(bytes)".utf8)
    }
    router.registerServerStreaming(MethodPath(service: "test.Echo", method: "Gzipped")) { request, writer, _ in
        try await writer.write(request, compress: true)
        try await writer.write(request, compress: false)
    }
    router.register(MethodPath(service: "test.Echo", method: "Sleep")) { requests, _, _ in
        probe.record("started")
        do {
            try await Task.sleep(for: .seconds(60))
        } catch {
            probe.record("cancelled")
            throw error
        }
    }
    router.register(MethodPath(service: "test.Echo", method: "Hold")) { requests, _, _ in
        var iterator = requests.makeAsyncIterator()
        _ = try await iterator.next()
        probe.record("read one")
        try await Task.sleep(for: .seconds(60))
    }
    router.register(MethodPath(service: "test.Echo", method: "Flood")) { _, writer, _ in
        for _ in 0..<200 {
            try await writer.write(Array(repeating: 0xAB, count: 64 * 1024))
            probe.written.add(1, ordering: .relaxed)
        }
    }
    return router
}

/// gzip-compresses `bytes` with zlib (the test's reference encoder).
func gzip(_ bytes: [UInt8]) -> [UInt8]? {
    var stream = z_stream()
    guard czlib_deflate_init_gzip(&stream, Z_DEFAULT_COMPRESSION) == Z_OK else { return nil }
    defer { deflateEnd(&stream) }
    var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))) + 32)
    var input = bytes
    let produced: Int = input.withUnsafeMutableBufferPointer { inBuf in
        output.withUnsafeMutableBufferPointer { outBuf in
            stream.next_in = inBuf.baseAddress
            stream.avail_in = UInt32(inBuf.count)
            stream.next_out = outBuf.baseAddress
            stream.avail_out = UInt32(outBuf.count)
            return deflate(&stream, Z_FINISH) == Z_STREAM_END ? outBuf.count - Int(stream.avail_out) : -1
        }
    }
    return produced < 0 ? nil : Array(output[0..<produced])
}
