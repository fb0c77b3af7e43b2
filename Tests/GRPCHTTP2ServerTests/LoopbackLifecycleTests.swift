import CNGHTTP2
import FaceGateTesting
import GRPCHTTP2Server
import GRPCProtocol
import Testing

/// Deadlines, cancellation, disconnects, keepalive and graceful shutdown.
@Suite struct LoopbackLifecycleTests {
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

    @Test func gracefulShutdownLetsInFlightCallsFinish() async throws {
        var router = Router()
        let probe = Probe()
        router.registerUnary(MethodPath(service: "test.Echo", method: "Slow")) { request, _ in
            probe.record("started")
            try await Task.sleep(for: .milliseconds(300))
            return request
        }
        try await LoopbackServer.with(router: router) { server in
            let client = try RawHTTP2Client(port: server.port)
            let stream = try client.start(path: "/test.Echo/Slow", body: grpcFrame([4]), endStream: true)
            // Shut down only once the call is in flight (a fixed sleep raced on a loaded machine).
            #expect(await probe.next() == "started")
            async let drained: Void = server.server.shutdownGracefully()
            try client.pump(until: { client.response(stream)?.closed == true })
            #expect(client.response(stream)?.value("grpc-status") == "0")
            #expect(grpcMessages(client.response(stream)?.body ?? []) == [[4]])
            await drained
            #expect(server.server.connectionCount == 0)
        }
    }
}
