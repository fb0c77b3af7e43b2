import FaceGateClient
import GRPCHTTP2Client
import GRPCHTTP2Server
import GRPCProtocol
import Testing

/// The client against a real in-process `GRPCServer` on loopback.
@Suite struct GRPCClientTests {
    @Test func unaryEchoesBytes() async throws {
        try await withLoopback { client, _ async throws in
            #expect(try await client.unary(TestService.unary, request: [1, 2, 3]) == [1, 2, 3])
            #expect(try await client.unary(TestService.unary, request: []) == [])
        }
    }

    static let statuses: [(StatusCode, String)] = [
        (.notFound, "no such identity"),
        (.invalidArgument, "image is empty: 0 bytes"),
        (.resourceExhausted, "queue full (100% of 64 faces)"),
        (.failedPrecondition, "Gesicht zu unscharf — bitte näher kommen ✋ 顔"),
        (.internal, "line one\nline two\ttab %41 not an escape"),
        (.permissionDenied, ""),
    ]

    @Test(arguments: statuses)
    func errorStatusAndMessageAreThrown(code: StatusCode, message: String) async throws {
        try await withLoopback { client, _ async throws in
            let request = [UInt8(code.rawValue)] + Array(message.utf8)
            let error = await #expect(throws: RPCError.self) {
                _ = try await client.unary(TestService.fail, request: request)
            }
            #expect(error?.code == code)
            #expect(error?.message == message)
        }
    }

    @Test func unknownMethodIsUnimplemented() async throws {
        try await withLoopback { client, _ async throws in
            let error = await #expect(throws: RPCError.self) {
                _ = try await client.unary("/test.Echo/Nope", request: [])
            }
            #expect(error?.code == .unimplemented)
            let other = await #expect(throws: RPCError.self) {
                _ = try await client.unary("/no.Such/Service", request: [])
            }
            #expect(other?.code == .unimplemented)
        }
    }

    @Test func bidiEchoesManyMessagesInOrder() async throws {
        try await withLoopback { client, _ async throws in
            var rng = SeededBytes(seed: 7)
            let messages = (0..<2000).map { i in rng.bytes(Int(rng.next() % 3000) + (i % 7 == 0 ? 20_000 : 0)) }
            let call = try client.bidirectionalStreaming(TestService.bidi)
            async let sent: Void = {
                for message in messages { try await call.requests.send(message) }
                call.requests.finish()
            }()
            var received: [[UInt8]] = []
            for try await message in call.responses { received.append(message) }
            try await sent
            #expect(received.count == messages.count)
            #expect(received == messages)
        }
    }

    @Test func pingPongInterleavesSendAndReceive() async throws {
        try await withLoopback { client, _ async throws in
            let call = try client.bidirectionalStreaming(TestService.bidi)
            var iterator = call.responses.makeAsyncIterator()
            for i in 0..<50 {
                try await call.requests.send([UInt8(i)])
                #expect(try await iterator.next() == [UInt8(i)])
            }
            call.requests.finish()
            #expect(try await iterator.next() == nil)
        }
    }

    @Test func deadlineExceeded() async throws {
        try await withLoopback { client, _ async throws in
            let error = await #expect(throws: RPCError.self) {
                _ = try await client.unary(TestService.sleep, request: [0], timeout: .milliseconds(100))
            }
            #expect(error?.code == .deadlineExceeded)
            // The connection still works after the failed call.
            #expect(try await client.unary(TestService.unary, request: [9]) == [9])
        }
    }

    @Test func taskCancellationResetsTheStreamAndCancelsTheHandler() async throws {
        try await withLoopback { client, probe async throws in
            let call = Task { try await client.unary(TestService.sleep, request: [0]) }
            #expect(await probe.wait(for: "sleep-started"))
            call.cancel()
            let error = await #expect(throws: RPCError.self) { _ = try await call.value }
            #expect(error?.code == .cancelled)
            // The server saw RST_STREAM: its handler task was cancelled.
            #expect(await probe.wait(for: "sleep-cancelled"))
            #expect(try await client.unary(TestService.unary, request: [4]) == [4])
        }
    }

    @Test func explicitCancelOfABidiCall() async throws {
        try await withLoopback { client, _ async throws in
            let call = try client.bidirectionalStreaming(TestService.bidi)
            try await call.requests.send([1])
            var iterator = call.responses.makeAsyncIterator()
            #expect(try await iterator.next() == [1])
            call.cancel()
            let error = await #expect(throws: RPCError.self) { _ = try await iterator.next() }
            #expect(error?.code == .cancelled)
            await #expect(throws: RPCError.self) { try await call.requests.send([2]) }
        }
    }

    @Test func hundredConcurrentUnaryCallsOnOneConnection() async throws {
        try await withLoopback { client, _ async throws in
            let results = try await withThrowingTaskGroup(of: (Int, [UInt8]).self) { group in
                for i in 0..<100 {
                    group.addTask {
                        let request = Array("call \(i)".utf8) + [UInt8](repeating: UInt8(i), count: i * 37)
                        return (i, try await client.unary(TestService.unary, request: request))
                    }
                }
                var all: [Int: [UInt8]] = [:]
                for try await (i, response) in group { all[i] = response }
                return all
            }
            #expect(results.count == 100)
            for (i, response) in results {
                #expect(response == Array("call \(i)".utf8) + [UInt8](repeating: UInt8(i), count: i * 37))
            }
        }
    }

    @Test func largeMessageSplitAcrossManyFrames() async throws {
        var clientConfig = GRPCClient.Config()
        clientConfig.messages.maxResponseBytes = 8 << 20
        try await withLoopback(serverConfig: { $0.messages.maxReceiveBytes = 8 << 20 }, clientConfig: clientConfig) { client, _ async throws in
            // A response larger than one DATA frame (16 KiB) and than the client's stream window
            // (1 MiB): the client must credit partial-message bytes or the call stalls.
            let size = 3 << 20 | 12_345
            let responses = try await client.serverStreaming(
                TestService.produce, request: TestService.produceRequest(count: 2, size: size))
            var received: [[UInt8]] = []
            for try await message in responses { received.append(message) }
            #expect(received.map(\.count) == [size, size])
            #expect(received.last?.allSatisfy { $0 == 1 } == true)
            // A request split across many frames (kept under the server's 1 MiB stream window:
            // main's server stalls on larger requests until the transport branch's a67936b).
            var rng = SeededBytes(seed: 3)
            let message = rng.bytes(900 * 1024 + 17)
            let echoed = try await client.unary(TestService.unary, request: message)
            #expect(echoed == message)
        }
    }

    @Test func responseOverTheLimitIsResourceExhausted() async throws {
        var clientConfig = GRPCClient.Config()
        clientConfig.messages.maxResponseBytes = 1024
        try await withLoopback(clientConfig: clientConfig) { client, _ async throws in
            let error = await #expect(throws: RPCError.self) {
                _ = try await client.unary(TestService.unary, request: [UInt8](repeating: 1, count: 4096))
            }
            #expect(error?.code == .resourceExhausted)
            #expect(try await client.unary(TestService.unary, request: [UInt8](repeating: 2, count: 1000)).count == 1000)
        }
    }

    @Test func unreadResponsesStopTheServerInsteadOfBuffering() async throws {
        try await withLoopback { client, probe async throws in
            let total = 400, size = 64 * 1024  // 25 MiB if nothing pushed back
            let responses = try await client.serverStreaming(
                TestService.produce, request: TestService.produceRequest(count: total, size: size))
            var iterator = responses.makeAsyncIterator()
            #expect(try await iterator.next()?.count == size)
            // Let the server run ahead as far as flow control allows, then count its writes.
            // Client buffer (1 MiB) + stream window (1 MiB) + server high water (256 KiB) is about
            // 36 messages; without back-pressure all 400 would be written by now.
            try await Task.sleep(for: .milliseconds(500))
            let written = probe.writes
            let bound = 100
            #expect(written < bound)
            var count = 1
            while let message = try await iterator.next() {
                #expect(message.count == size)
                count += 1
            }
            #expect(count == total)
        }
    }

    @Test func metadataTravelsBothWays() async throws {
        try await withLoopback { client, _ async throws in
            let call = try client.bidirectionalStreaming(TestService.metadata, metadata: Metadata([("x-echo", "hello")]))
            try await call.requests.send([])
            call.requests.finish()
            var got: [[UInt8]] = []
            for try await message in call.responses { got.append(message) }
            #expect(got == [Array("hello".utf8)])
            #expect(await call.initialMetadata()[first: "x-initial"] == "hello")
        }
    }

    @Test func healthCheckIsServing() async throws {
        try await withLoopback { client, _ async throws in
            #expect(try await client.checkHealth() == .serving)
            let error = await #expect(throws: RPCError.self) { _ = try await client.checkHealth(service: "no.such.Service") }
            #expect(error?.code == .notFound)
        }
    }

    @Test func callsFailCleanlyWhenNotConnected() async throws {
        let client = GRPCClient()
        let error = await #expect(throws: RPCError.self) { _ = try await client.unary(TestService.unary, request: []) }
        #expect(error?.code == .unavailable)
        await #expect(throws: ClientTransportError.self) { try await client.connect(host: "127.0.0.1", port: 1) }
        await client.close()
    }
}

/// The load generator behind `facegate bench serve`: counts, labels and errors (no timing
/// assertions; the run length only bounds the test).
@Suite struct LoadGeneratorTests {
    @Test func bidiLoadCountsEveryEchoedMessage() async throws {
        try await withLoopback { client, _ async throws in
            let load = LoadGenerator(client: client, path: TestService.bidi, timeout: .seconds(30))
            let result = await load.bidi(streams: 4, depth: 3, duration: .milliseconds(300),
                                         request: { index in [UInt8(truncatingIfNeeded: index)] },
                                         check: { index, response in
                                             guard response == [UInt8(truncatingIfNeeded: index)] else {
                                                 throw RPCError(.internal, "out of order")
                                             }
                                             return index % 2 == 0 ? "even" : "odd"
                                         })
            #expect(result.errors == 0)
            #expect(result.firstErrors.isEmpty)
            #expect(result.completed > 0)
            #expect(result.latenciesUs.count == result.completed)
            #expect(result.labels.values.reduce(0, +) == result.completed)
            #expect(result.percentile(0.5) <= result.percentile(0.99))
        }
    }

    @Test func unaryLoadCountsFailuresAsErrors() async throws {
        try await withLoopback { client, _ async throws in
            let load = LoadGenerator(client: client, path: TestService.fail, timeout: .seconds(30))
            let result = await load.unary(workers: 3, duration: .milliseconds(200),
                                          request: { _ in [UInt8(StatusCode.unavailable.rawValue)] + Array("busy".utf8) },
                                          check: { _, _ in "OK" })
            #expect(result.completed == 0)
            #expect(result.errors > 0)
            #expect(result.firstErrors.first == "UNAVAILABLE: busy")
            #expect(result.percentile(0.5).isNaN)
        }
    }
}

/// Calls beyond the server's SETTINGS_MAX_CONCURRENT_STREAMS wait in the client instead of
/// being refused.
@Suite struct StreamLimitTests {
    @Test func callsBeyondTheServerStreamLimitAreQueued() async throws {
        try await withLoopback(serverConfig: { $0.http2.maxConcurrentStreams = 4 }) { client, _ async throws in
            let count = try await withThrowingTaskGroup(of: Bool.self) { group in
                for i in 0..<60 {
                    group.addTask { try await client.unary(TestService.unary, request: [UInt8(i)]) == [UInt8(i)] }
                }
                var ok = 0
                for try await same in group where same { ok += 1 }
                return ok
            }
            #expect(count == 60)
        }
    }
}

/// Server shutdown as the client sees it.
@Suite struct GoAwayTests {
    @Test func afterGoAwayOpenCallsFinishAndNewCallsFailFast() async throws {
        var config = GRPCServer.Config()
        config.port = 0
        config.threads = 1
        config.shutdown.drainGrace = .seconds(5)
        let probe = Probe()
        let server = GRPCServer(config: config, router: TestService.router(probe: probe))
        let port = try await server.start()
        let client = GRPCClient()
        try await client.connect(host: "127.0.0.1", port: port)
        let open = try client.bidirectionalStreaming(TestService.bidi)
        var responses = open.responses.makeAsyncIterator()
        try await open.requests.send([1])
        #expect(try await responses.next() == [1])
        let shutdown = Task { await server.shutdownGracefully() }
        // The GOAWAY reaches the client soon; until then new calls may still be accepted.
        var refused: RPCError?
        for _ in 0..<1000 where refused == nil {
            do {
                _ = try await client.unary(TestService.unary, request: [2], timeout: .seconds(10))
                try await Task.sleep(for: .milliseconds(10))
            } catch let error as RPCError {
                refused = error
            }
        }
        #expect(refused?.code == .unavailable)
        // The call opened before the GOAWAY still works and ends cleanly.
        try await open.requests.send([3])
        #expect(try await responses.next() == [3])
        open.requests.finish()
        #expect(try await responses.next() == nil)
        await shutdown.value
        await client.close()
    }
}
