import CNGHTTP2
import FaceGateTesting
import GRPCHTTP2Server
import GRPCProtocol
import Testing

/// Hostile or malformed input and limits: errors on the right stream or connection, never a crash.
@Suite struct LoopbackRobustnessTests {
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
}
