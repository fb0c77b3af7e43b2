import FaceGateService
import FaceGateTesting
import Testing

@Suite struct FaceGateServerTests {
    static func withServer(_ body: (Int) async throws -> Void) async throws {
        var config = FaceGateServer.Config()
        config.port = 0
        config.transport.threads = 1
        config.transport.shutdown.drainGrace = .seconds(1)
        let server = FaceGateServer(config: config)
        let port = try await server.start()
        do {
            try await body(port)
        } catch {
            await server.shutdownGracefully()
            throw error
        }
        await server.shutdownGracefully()
    }

    @Test func healthCheckIsServing() async throws {
        try await Self.withServer { port in
            let client = try RawHTTP2Client(port: port)
            // HealthCheckRequest{service: ""} is the empty message; SERVING is field 1 = 1.
            let response = try client.request(path: "/grpc.health.v1.Health/Check", body: grpcFrame([]))
            #expect(response.value("grpc-status") == "0")
            #expect(grpcMessages(response.body) == [[0x08, 0x01]])
        }
    }

    @Test(arguments: FaceGateServer.methods)
    func unbuiltMethodsAnswerUnimplemented(method: String) async throws {
        try await Self.withServer { port in
            let client = try RawHTTP2Client(port: port)
            let response = try client.request(path: "/facegate.v1.FaceGate/\(method)", body: grpcFrame([]))
            #expect(response.value("grpc-status") == "12")
        }
    }
}
