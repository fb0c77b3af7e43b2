import FaceGateAPI
import FaceGateService
import FaceGateTesting
import GRPCHTTP2Server
import GRPCHealth
import GRPCProtocol
import Testing

/// The FaceGate service before its model and gallery are loaded: health says NOT_SERVING and
/// every method answers UNAVAILABLE at once (never UNIMPLEMENTED, never a hang).
@Suite struct FaceGateServiceLoadingTests {
    static func withServer(_ body: (Int, HealthService) async throws -> Void) async throws {
        let health = HealthService()
        health.setStatus(.notServing, for: "")
        var router = Router()
        health.register(on: &router)
        FaceGateService(metrics: ServiceMetrics()).register(on: &router)
        var config = GRPCServer.Config()
        config.port = 0
        config.threads = 1
        config.shutdown.drainGrace = .seconds(1)
        let server = GRPCServer(config: config, router: router)
        let port = try await server.start()
        do {
            try await body(port, health)
        } catch {
            await server.shutdownGracefully()
            throw error
        }
        await server.shutdownGracefully()
    }

    @Test func healthIsNotServingWhileLoading() async throws {
        try await Self.withServer { port, health in
            let client = try RawHTTP2Client(port: port)
            let response = try client.request(path: "/grpc.health.v1.Health/Check", body: grpcFrame([]))
            #expect(response.value("grpc-status") == "0")
            #expect(grpcMessages(response.body) == [[0x08, 0x02]])  // NOT_SERVING
            health.setStatus(.serving, for: "")
            let serving = try client.request(path: "/grpc.health.v1.Health/Check", body: grpcFrame([]))
            #expect(grpcMessages(serving.body) == [[0x08, 0x01]])
        }
    }

    @Test(arguments: FaceGateMethod.allCases)
    func methodsAnswerUnavailableUntilLoaded(method: FaceGateMethod) async throws {
        try await Self.withServer { port, _ in
            let client = try RawHTTP2Client(port: port)
            let response = try client.request(path: method.rawValue, body: grpcFrame([]))
            #expect(response.value("grpc-status") == "14")
            #expect(response.value("grpc-message")?.contains("loading") == true)
        }
    }
}
