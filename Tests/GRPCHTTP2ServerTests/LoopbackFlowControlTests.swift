import CNGHTTP2
import FaceGateTesting
import GRPCHTTP2Server
import GRPCProtocol
import Testing

/// Back-pressure in both directions.
@Suite struct LoopbackFlowControlTests {
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

    /// A message larger than the stream window still arrives (partial-message bytes are
    /// credited as they come).
    @Test func messagesLargerThanTheStreamWindowArrive() async throws {
        try await LoopbackServer.with(router: testRouter(Probe()), configure: {
            $0.http2.streamWindowBytes = 65535
            $0.http2.connectionWindowBytes = 65535
        }) { server in
            let client = try RawHTTP2Client(port: server.port)
            let message = (0..<(2 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            let response = try client.request(path: "/test.Echo/Unary", body: grpcFrame(message), timeoutMilliseconds: 20_000)
            #expect(response.value("grpc-status") == "0")
            #expect(grpcMessages(response.body) == [message])
            let sum = try client.request(path: "/test.Echo/Sum", body: grpcFrame(message) + grpcFrame(message),
                                         timeoutMilliseconds: 20_000)
            #expect(grpcMessages(sum.body) == [Array("2 \(2 * message.count)".utf8)])
        }
    }
}
