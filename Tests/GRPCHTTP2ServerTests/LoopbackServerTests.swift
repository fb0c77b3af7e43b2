import CNGHTTP2
import FaceGateTesting
import GRPCHTTP2Server
import GRPCProtocol
import Testing

/// Calls over a real loopback server: status, routing, content-type, framing, gzip.
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
            // The handlers need the cooperative pool: keep the blocking client off it.
            let port = server.port
            try await onDedicatedThread {
                let client = try RawHTTP2Client(port: port)
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
}
