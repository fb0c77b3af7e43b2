import CFaceGateProto
import GRPCProtocol
import Synchronization

/// `grpc.health.v1.Health` (Check and Watch) over protobuf-c messages.
///
/// Thread-safe: statuses and watchers live behind a mutex. The empty service name `""` stands
/// for the whole server.
public final class HealthService: Sendable {
    /// A serving status, as in `HealthCheckResponse.ServingStatus`.
    public enum ServingStatus: Int32, Sendable {
        /// Status not known.
        case unknown = 0
        /// Serving.
        case serving = 1
        /// Not serving.
        case notServing = 2
        /// Watch only: the service is not registered.
        case serviceUnknown = 3
    }

    private struct State {
        var statuses: [String: ServingStatus] = ["": .serving]
        var watchers: [Int: (service: String, continuation: AsyncStream<ServingStatus>.Continuation)] = [:]
        var nextWatcher = 0
        /// Set at shutdown: statuses stay NOT_SERVING and Watch calls end.
        var terminal = false
    }

    private let state = Mutex(State())

    /// The service name served.
    public static let serviceName = "grpc.health.v1.Health"

    /// Creates a health service where `""` is SERVING.
    public init() {}

    /// Sets the status of `service` and notifies its watchers (ignored after `enterTerminalState`).
    public func setStatus(_ status: ServingStatus, for service: String) {
        let toNotify = state.withLock { state -> [AsyncStream<ServingStatus>.Continuation] in
            guard !state.terminal else { return [] }
            state.statuses[service] = status
            return state.watchers.values.filter { $0.service == service }.map(\.continuation)
        }
        for continuation in toNotify { continuation.yield(status) }
    }

    /// At shutdown: marks every registered service NOT_SERVING for good, sends that to every
    /// watcher and then ends its Watch call with UNAVAILABLE, so that open watches do not hold
    /// the server's drain until its grace period runs out. Later Watch calls get NOT_SERVING and
    /// end the same way.
    public func enterTerminalState() {
        let toEnd = state.withLock { state -> [AsyncStream<ServingStatus>.Continuation] in
            state.terminal = true
            for key in state.statuses.keys { state.statuses[key] = .notServing }
            return state.watchers.values.map(\.continuation)
        }
        for continuation in toEnd {
            continuation.yield(.notServing)
            continuation.finish()
        }
    }

    /// The current status of `service`, nil when it is not registered.
    public func status(of service: String) -> ServingStatus? {
        state.withLock { $0.statuses[service] }
    }

    /// Registers Check and Watch on `router`.
    public func register(on router: inout Router) {
        router.registerUnary(MethodPath(service: Self.serviceName, method: "Check")) { [self] request, _ in
            let service = try Self.decodeService(request)
            guard let status = status(of: service) else {
                throw RPCError(.notFound, "unknown service '\(service)'")
            }
            return Self.encode(status)
        }
        router.register(MethodPath(service: Self.serviceName, method: "Watch")) { [self] requests, writer, _ in
            let service = try Self.decodeService(try await requests.single())
            let (stream, continuation) = AsyncStream.makeStream(of: ServingStatus.self, bufferingPolicy: .bufferingNewest(1))
            let id = state.withLock { state -> Int in
                let id = state.nextWatcher
                state.nextWatcher += 1
                continuation.yield(state.statuses[service] ?? .serviceUnknown)
                if state.terminal {
                    continuation.finish()
                } else {
                    state.watchers[id] = (service, continuation)
                }
                return id
            }
            defer { _ = state.withLock { $0.watchers.removeValue(forKey: id) } }
            var last: ServingStatus?
            for await status in stream {
                try Task.checkCancellation()
                if status != last {
                    try await writer.write(Self.encode(status))
                    last = status
                }
            }
            if state.withLock({ $0.terminal }) { throw RPCError(.unavailable, "server is shutting down") }
            throw CancellationError()
        }
    }

    static func decodeService(_ bytes: [UInt8]) throws -> String {
        let message = bytes.withUnsafeBufferPointer {
            grpc__health__v1__health_check_request__unpack(nil, $0.count, $0.baseAddress)
        }
        guard let message else { throw RPCError(.invalidArgument, "malformed HealthCheckRequest") }
        defer { grpc__health__v1__health_check_request__free_unpacked(message, nil) }
        return message.pointee.service.map { String(cString: $0) } ?? ""
    }

    static func encode(_ status: ServingStatus) -> [UInt8] {
        var response = Grpc__Health__V1__HealthCheckResponse()
        grpc__health__v1__health_check_response__init(&response)
        response.status = Grpc__Health__V1__HealthCheckResponse__ServingStatus(rawValue: UInt32(status.rawValue))
        let size = grpc__health__v1__health_check_response__get_packed_size(&response)
        var bytes = [UInt8](repeating: 0, count: size)
        _ = bytes.withUnsafeMutableBufferPointer { grpc__health__v1__health_check_response__pack(&response, $0.baseAddress) }
        return bytes
    }
}
