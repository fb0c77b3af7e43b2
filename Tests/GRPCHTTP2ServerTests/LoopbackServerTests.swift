import CNGHTTP2
import CZlib
import FaceGateTesting
import GRPCHTTP2Server
import GRPCProtocol
import Synchronization
import Testing

/// Records handler events so tests can wait for "the handler saw cancellation".
final class Probe: Sendable {
    let events: AsyncStream<String>
    private let continuation: AsyncStream<String>.Continuation
    let written = Atomic<Int>(0)

    init() {
        (events, continuation) = AsyncStream.makeStream(of: String.self)
    }

    func record(_ event: String) { continuation.yield(event) }

    /// The first recorded event, or "none" if nothing happens within 5 s (a hang guard only).
    func next() async -> String {
        await withTaskGroup(of: String.self) { group in
            group.addTask { [events] in
                for await event in events { return event }
                return "finished"
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(5))
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

@Suite struct LoopbackServerTests {
    @Test func unaryCallSucceeds() async throws {
        try await LoopbackServer.with(router: testRouter(Probe())) { server in
            let client = try RawHTTP2Client(port: server.port)
            let response = try client.request(path: "/test.Echo/Unary", body: grpcFrame([1, 2, 3]))
            #expect(response.value(":status") == "200")
            #expect(response.value("content-type") == "application/grpc")
            #expect(response.trailers.contains { $0 == ("grpc-status", "0") })
            #expect(grpcMessages(response.body) == [[1, 2, 3]])
        }
    }

    @Test func handlersOffTheEventLoopWorkToo() async throws {
        try await LoopbackServer.with(router: testRouter(Probe()), configure: { $0.runHandlersOnEventLoop = false }) { server in
            let client = try RawHTTP2Client(port: server.port)
            for size in [0, 1, 100_000] {
                let message = Array(repeating: UInt8(size % 251), count: size)
                let response = try client.request(path: "/test.Echo/Unary", body: grpcFrame(message))
                #expect(response.value("grpc-status") == "0")
                #expect(grpcMessages(response.body) == [message])
            }
            let sum = try client.request(path: "/test.Echo/Sum", body: grpcFrame([1]) + grpcFrame([2, 3]))
            #expect(grpcMessages(sum.body) == [Array("2 3".utf8)])
        }
    }

    @Test func keepaliveKeepsAnsweringClientsAndClosesSilentOnes() async throws {
        try await LoopbackServer.with(router: testRouter(Probe()), configure: { $0.http2.keepaliveInterval = .milliseconds(20) }) { server in
            let answering = try RawHTTP2Client(port: server.port)
            // Pumping acknowledges each PING (nghttp2 does it automatically).
            try answering.pump(until: { answering.pingsReceived >= 3 })
            #expect(try answering.request(path: "/test.Echo/Unary", body: grpcFrame([1])).value("grpc-status") == "0")

            let silent = try RawHTTP2Socket(port: server.port)
            try silent.send(Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8) + [0, 0, 0, 4, 0, 0, 0, 0, 0])
            // Never acknowledges: the server closes it after the second interval.
            #expect(throws: Never.self) { try silent.readUntilClosed() }
        }
    }

    @Test(arguments: ["/test.Echo/Nope", "/test.Nope/Unary"])
    func unknownMethodIsUnimplementedTrailersOnly(path: String) async throws {
        try await LoopbackServer.with(router: testRouter(Probe())) { server in
            let client = try RawHTTP2Client(port: server.port)
            let response = try client.request(path: path, body: grpcFrame([]))
            #expect(response.headers.contains { $0 == ("grpc-status", "12") })
            #expect(response.trailers.isEmpty)
            #expect(response.body.isEmpty)
        }
    }

    @Test func wrongContentTypeIs415() async throws {
        try await LoopbackServer.with(router: testRouter(Probe())) { server in
            let client = try RawHTTP2Client(port: server.port)
            let response = try client.request(path: "/test.Echo/Unary", contentType: "application/json", body: [1])
            #expect(response.value(":status") == "415")
        }
    }

    @Test func garbageClosesTheConnectionButServerKeepsServing() async throws {
        try await LoopbackServer.with(router: testRouter(Probe())) { server in
            let raw = try RawHTTP2Socket(port: server.port)
            try raw.send(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8) + Array(repeating: 0xFF, count: 64))
            #expect(throws: Never.self) { try raw.readUntilClosed() }

            let client = try RawHTTP2Client(port: server.port)
            let response = try client.request(path: "/test.Echo/Unary", body: grpcFrame([9]))
            #expect(response.trailers.contains { $0 == ("grpc-status", "0") })
        }
    }

    @Test func malformedFramesAfterThePrefaceCloseTheConnection() async throws {
        try await LoopbackServer.with(router: testRouter(Probe())) { server in
            let raw = try RawHTTP2Socket(port: server.port)
            // Valid preface and empty SETTINGS, then a DATA frame on stream 0 (a connection error).
            try raw.send(Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8) + [0, 0, 0, 4, 0, 0, 0, 0, 0]
                         + [0, 0, 4, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4])
            let received = try raw.readUntilClosed()
            #expect(received.count > 0)  // SETTINGS and GOAWAY came back before the close
            let client = try RawHTTP2Client(port: server.port)
            #expect(try client.request(path: "/test.Echo/Unary", body: grpcFrame([])).value("grpc-status") == "0")
        }
    }

    /// Seeded random frames after a valid preface: every connection ends (error or not) and the
    /// server keeps serving; nothing crashes.
    @Test func randomFramesNeverCrashTheServer() async throws {
        try await LoopbackServer.with(router: testRouter(Probe())) { server in
            var state: UInt64 = 0x5EED_F00D
            func nextByte() -> UInt8 {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return UInt8(truncatingIfNeeded: state >> 56)
            }
            let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8) + [0, 0, 0, 4, 0, 0, 0, 0, 0]
            for _ in 0..<200 {
                let raw = try RawHTTP2Socket(port: server.port)
                var bytes = preface
                for _ in 0..<4 {
                    // A frame header with a small random length, random type/flags/stream, then payload.
                    let length = Int(nextByte() % 32)
                    bytes += [0, 0, UInt8(length), nextByte() % 10, nextByte(), 0, 0, 0, nextByte() % 8]
                    bytes += (0..<length).map { _ in nextByte() }
                }
                try? raw.send(bytes)
            }
            let client = try RawHTTP2Client(port: server.port)
            #expect(try client.request(path: "/test.Echo/Unary", body: grpcFrame([42])).value("grpc-status") == "0")
        }
    }

    @Test func oversizeMessageIsResourceExhausted() async throws {
        try await LoopbackServer.with(router: testRouter(Probe()), configure: { $0.messages.maxReceiveBytes = 1000 }) { server in
            let client = try RawHTTP2Client(port: server.port)
            let response = try client.request(path: "/test.Echo/Unary", body: grpcFrame(Array(repeating: 1, count: 1001)))
            #expect(response.value("grpc-status") == "8")
            let ok = try client.request(path: "/test.Echo/Unary", body: grpcFrame(Array(repeating: 1, count: 1000)))
            #expect(ok.value("grpc-status") == "0")
        }
    }

    @Test func badFlagByteIsInternal() async throws {
        try await LoopbackServer.with(router: testRouter(Probe())) { server in
            let client = try RawHTTP2Client(port: server.port)
            let response = try client.request(path: "/test.Echo/Unary", body: [7, 0, 0, 0, 1, 0])
            #expect(response.value("grpc-status") == "13")
        }
    }

    @Test func messagesSplitAcrossFramesAndCoalescedInOneFrame() async throws {
        try await LoopbackServer.with(router: testRouter(Probe())) { server in
            let client = try RawHTTP2Client(port: server.port)
            // One 40 KB message (three DATA frames) followed by three small ones in one buffer.
            let body = grpcFrame(Array(repeating: 5, count: 40_000)) + grpcFrame([1]) + grpcFrame([]) + grpcFrame([2, 3])
            let response = try client.request(path: "/test.Echo/Sum", body: body)
            #expect(response.value("grpc-status") == "0")
            #expect(grpcMessages(response.body) == [Array("4 40003".utf8)])
        }
    }

    @Test func deadlineCancelsHandlerAndReturnsDeadlineExceeded() async throws {
        let probe = Probe()
        try await LoopbackServer.with(router: testRouter(probe)) { server in
            let client = try RawHTTP2Client(port: server.port)
            let response = try client.request(path: "/test.Echo/Sleep", extraHeaders: [("grpc-timeout", "50m")],
                                              body: grpcFrame([]))
            #expect(response.value("grpc-status") == "4")
            #expect(await probe.next() == "started")
            #expect(await probe.next() == "cancelled")
        }
    }

    @Test func clientResetCancelsHandler() async throws {
        let probe = Probe()
        try await LoopbackServer.with(router: testRouter(probe)) { server in
            let client = try RawHTTP2Client(port: server.port)
            let stream = try client.start(path: "/test.Echo/Sleep", body: grpcFrame([]), endStream: true)
            #expect(await probe.next() == "started")
            try client.reset(stream: stream)
            #expect(await probe.next() == "cancelled")
        }
    }

    @Test func abruptDisconnectCancelsHandler() async throws {
        let probe = Probe()
        try await LoopbackServer.with(router: testRouter(probe)) { server in
            let client = try RawHTTP2Client(port: server.port)
            _ = try client.start(path: "/test.Echo/Sleep", body: grpcFrame([1]), endStream: false)
            #expect(await probe.next() == "started")
            client.close()
            #expect(await probe.next() == "cancelled")
        }
    }

    @Test func gzipRequestIsAcceptedAndUnknownEncodingIsUnimplemented() async throws {
        try await LoopbackServer.with(router: testRouter(Probe())) { server in
            let client = try RawHTTP2Client(port: server.port)
            let message = Array(repeating: UInt8(ascii: "z"), count: 5000)
            let compressed = try #require(gzip(message))
            let response = try client.request(path: "/test.Echo/Unary", extraHeaders: [("grpc-encoding", "gzip")],
                                              body: grpcFrame(compressed, compressed: true))
            #expect(response.value("grpc-status") == "0")
            #expect(response.value("grpc-accept-encoding")?.contains("gzip") == true)
            #expect(grpcMessages(response.body) == [message])

            let unknown = try client.request(path: "/test.Echo/Unary", extraHeaders: [("grpc-encoding", "br")],
                                             body: grpcFrame([1], compressed: true))
            #expect(unknown.value("grpc-status") == "12")

            let corrupt = try client.request(path: "/test.Echo/Unary", extraHeaders: [("grpc-encoding", "gzip")],
                                             body: grpcFrame([1, 2, 3], compressed: true))
            #expect(corrupt.value("grpc-status") == "13")
        }
    }

    @Test func responsesAreCompressedOnlyForClientsThatAcceptGzip() async throws {
        try await LoopbackServer.with(router: testRouter(Probe())) { server in
            let client = try RawHTTP2Client(port: server.port)
            let message = Array(repeating: UInt8(ascii: "q"), count: 4000)
            let accepting = try client.request(path: "/test.Echo/Gzipped", extraHeaders: [("grpc-accept-encoding", "identity, gzip")],
                                               body: grpcFrame(message))
            #expect(accepting.value("grpc-encoding") == "gzip")
            // First message: compressed flag and a gzip payload much smaller than the input.
            #expect(accepting.body.first == 1)
            let first = Int(accepting.body[1]) << 24 | Int(accepting.body[2]) << 16 | Int(accepting.body[3]) << 8 | Int(accepting.body[4])
            #expect(first < 200)
            #expect(accepting.body[5..<7].elementsEqual([0x1F, 0x8B]))
            #expect(accepting.body[5 + first] == 0)  // second message sent uncompressed

            let plain = try client.request(path: "/test.Echo/Gzipped", body: grpcFrame(message))
            #expect(plain.value("grpc-encoding") == nil)
            #expect(grpcMessages(plain.body) == [message, message])
        }
    }

    @Test func slowReaderStopsTheProducer() async throws {
        let probe = Probe()
        try await LoopbackServer.with(router: testRouter(probe)) { server in
            let client = try RawHTTP2Client(port: server.port)
            let stream = try client.start(path: "/test.Echo/Flood", body: grpcFrame([]), endStream: true)
            // Do not read: wait until the producer stops advancing.
            var last = -1
            while true {
                try await Task.sleep(for: .milliseconds(200))
                let now = probe.written.load(ordering: .relaxed)
                if now == last { break }
                last = now
            }
            // 200 messages of 64 KiB = 12.5 MiB; the stream window (64 KiB) plus the outbound
            // high-water mark (256 KiB) allow only a handful.
            #expect(last < 20)
            try client.pump(until: { client.response(stream)?.closed == true }, timeoutMilliseconds: 5000)
            let response = try #require(client.response(stream))
            #expect(response.value("grpc-status") == "0")
            #expect(grpcMessages(response.body)?.count == 200)
        }
    }

    @Test func handlerThatStopsReadingHoldsBackOnlyItsOwnStream() async throws {
        let probe = Probe()
        try await LoopbackServer.with(router: testRouter(probe), configure: {
            $0.http2.streamWindowBytes = 65535
            $0.http2.connectionWindowBytes = 65535
        }) { server in
            let client = try RawHTTP2Client(port: server.port)
            let message = grpcFrame(Array(repeating: 3, count: 10_000))
            let body = Array((0..<30).map { _ in message }.joined())  // ~300 KB
            let stream = try client.start(path: "/test.Echo/Hold", body: body, endStream: true)
            #expect(await probe.next() == "read one")
            // Other calls on the same connection still flow: the connection window is credited
            // on receipt, only the held stream's window stays closed.
            for _ in 0..<3 {
                let ok = try client.request(path: "/test.Echo/Unary", body: grpcFrame(Array(repeating: 1, count: 30_000)))
                #expect(ok.value("grpc-status") == "0")
            }
            #expect(client.bodyBytesSent(stream) < 2 * 65535)
            #expect(client.bodyBytesSent(stream) < body.count)
        }
    }

    @Test func streamsOverTheConcurrencyLimitAreRefused() async throws {
        let probe = Probe()
        try await LoopbackServer.with(router: testRouter(probe), configure: { $0.http2.maxConcurrentStreams = 2 }) { server in
            let client = try RawHTTP2Client(port: server.port)
            // Sent before the server's SETTINGS are read, so the client does not hold them back.
            let streams = try (0..<3).map { _ in
                try client.start(path: "/test.Echo/Sleep", body: grpcFrame([]), endStream: true)
            }
            try client.pump(until: { client.response(streams[2])?.closed == true })
            #expect(client.response(streams[2])?.closeErrorCode == UInt32(NGHTTP2_REFUSED_STREAM.rawValue))
            #expect(await probe.next() == "started")
            #expect(await probe.next() == "started")
            #expect(client.response(streams[0])?.closed != true)
        }
    }

    @Test func limitsAreAdvertisedAndHeaderListSizeIsEnforced() async throws {
        try await LoopbackServer.with(router: testRouter(Probe()), configure: {
            $0.http2.maxConcurrentStreams = 7
            $0.http2.maxHeaderListBytes = 4096
        }) { server in
            let client = try RawHTTP2Client(port: server.port)
            // A completed call means the server's SETTINGS (sent first) have been processed.
            #expect(try client.request(path: "/test.Echo/Unary", body: grpcFrame([])).value("grpc-status") == "0")
            #expect(client.remoteSetting(NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS) == 7)
            #expect(client.remoteSetting(NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE) == 4096)
            let big = try client.request(path: "/test.Echo/Unary",
                                         extraHeaders: [("x-big", String(repeating: "a", count: 5000))],
                                         body: grpcFrame([1]))
            #expect(big.value(":status") == "431")
            let ok = try client.request(path: "/test.Echo/Unary", extraHeaders: [("x-small", "b")], body: grpcFrame([1]))
            #expect(ok.value("grpc-status") == "0")
        }
    }

    @Test func gracefulShutdownLetsInFlightCallsFinish() async throws {
        var router = Router()
        router.registerUnary(MethodPath(service: "test.Echo", method: "Slow")) { request, _ in
            try await Task.sleep(for: .milliseconds(300))
            return request
        }
        try await LoopbackServer.with(router: router) { server in
            let client = try RawHTTP2Client(port: server.port)
            let stream = try client.start(path: "/test.Echo/Slow", body: grpcFrame([4]), endStream: true)
            try await Task.sleep(for: .milliseconds(50))
            async let drained: Void = server.server.shutdownGracefully()
            try client.pump(until: { client.response(stream)?.closed == true })
            #expect(client.response(stream)?.value("grpc-status") == "0")
            #expect(grpcMessages(client.response(stream)?.body ?? []) == [[4]])
            await drained
            #expect(server.server.connectionCount == 0)
        }
    }
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
