import CFaceGateProto
import GRPCHTTP2Client
import GRPCProtocol

/// `grpc.health.v1.Health` serving states as the client sees them.
public enum HealthStatus: Int, Sendable, CustomStringConvertible {
    case unknown = 0, serving = 1, notServing = 2, serviceUnknown = 3

    /// The proto enum name, e.g. `SERVING`.
    public var description: String {
        switch self {
        case .unknown: "UNKNOWN"
        case .serving: "SERVING"
        case .notServing: "NOT_SERVING"
        case .serviceUnknown: "SERVICE_UNKNOWN"
        }
    }
}

extension GRPCClient {
    /// `grpc.health.v1.Health/Check` for `service` ("" asks about the whole server).
    /// - Throws: `RPCError` (NOT_FOUND for an unknown service name).
    public func checkHealth(service: String = "", timeout: Duration? = nil) async throws -> HealthStatus {
        let response = try await unary("/grpc.health.v1.Health/Check", request: HealthCodec.encodeRequest(service),
                                       timeout: timeout)
        return try HealthCodec.decodeStatus(response)
    }
}

extension FaceGateClient {
    /// Health of the FaceGate service (`facegate.v1.FaceGate`), or of the whole server with "".
    public func checkHealth(service: String = "facegate.v1.FaceGate", timeout: Duration? = nil) async throws -> HealthStatus {
        try await transport.checkHealth(service: service, timeout: timeout ?? defaultTimeout)
    }
}

/// protobuf-c encoding of the two Health messages the client needs.
enum HealthCodec {
    static func encodeRequest(_ service: String) -> [UInt8] {
        var request = Grpc__Health__V1__HealthCheckRequest()
        grpc__health__v1__health_check_request__init(&request)
        return service.withCString { name in
            request.service = UnsafeMutablePointer(mutating: name)
            let size = grpc__health__v1__health_check_request__get_packed_size(&request)
            var bytes = [UInt8](repeating: 0, count: size)
            _ = bytes.withUnsafeMutableBufferPointer { grpc__health__v1__health_check_request__pack(&request, $0.baseAddress) }
            return bytes
        }
    }

    static func decodeStatus(_ bytes: [UInt8]) throws(RPCError) -> HealthStatus {
        let message = bytes.withUnsafeBufferPointer {
            grpc__health__v1__health_check_response__unpack(nil, $0.count, $0.baseAddress)
        }
        guard let message else { throw RPCError(.internal, "malformed HealthCheckResponse") }
        defer { grpc__health__v1__health_check_response__free_unpacked(message, nil) }
        return HealthStatus(rawValue: Int(message.pointee.status.rawValue)) ?? .unknown
    }
}
