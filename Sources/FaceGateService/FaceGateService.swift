import FaceGateAPI
import GRPCProtocol
import Logging
import Synchronization

/// The `facegate.v1.FaceGate` service: registers every method on a router and serves it from a
/// `FaceGateRuntime` once one is installed (calls before that answer UNAVAILABLE, so the server
/// can listen and report health while the model loads).
public final class FaceGateService: Sendable {
    private let runtime = Mutex<FaceGateRuntime?>(nil)
    private let metrics: ServiceMetrics

    /// Creates the service; `metrics` records every call.
    public init(metrics: ServiceMetrics) {
        self.metrics = metrics
    }

    /// Makes the loaded runtime serve calls.
    public func install(_ loaded: FaceGateRuntime) {
        runtime.withLock { $0 = loaded }
    }

    /// The installed runtime, if any.
    public var installed: FaceGateRuntime? { runtime.withLock { $0 } }

    /// Registers all methods of `facegate.v1.FaceGate`.
    public func register(on router: inout Router) {
        for method in FaceGateMethod.allCases {
            let path = MethodPath(path: method.rawValue)!
            router.register(path) { requests, writer, context in
                try await self.serve(method, requests: requests, writer: writer, context: context)
            }
        }
    }

    /// Runs one call with metrics and the single error -> status mapping.
    private func serve(
        _ method: FaceGateMethod, requests: RequestStream, writer: ResponseWriter, context: ServerContext
    ) async throws {
        let clock = ContinuousClock()
        let started = clock.now
        let name = String(method.rawValue.split(separator: "/").last!)
        do {
            guard let runtime = installed else {
                throw ServiceError(.unavailable, "the model and gallery are still loading; retry shortly")
            }
            try await dispatch(method, runtime: runtime, requests: requests, writer: writer, context: context)
            metrics.recordCall(method: name, code: "OK", duration: clock.now - started)
        } catch {
            let failure = ServiceError(error)
            metrics.recordCall(method: name, code: failure.code.name, duration: clock.now - started)
            if failure.code == .internal || failure.code == .unavailable {
                installed?.logger.warning("call failed", metadata: ["method": "\(name)", "error": "\(failure)"])
            }
            throw failure.rpcError
        }
    }

    private func dispatch(
        _ method: FaceGateMethod, runtime: FaceGateRuntime, requests: RequestStream, writer: ResponseWriter,
        context: ServerContext
    ) async throws {
        let stream = runtime.newStreamID()
        switch method {
        case .embedOne:
            let request = try EmbedRequest(serialized: try await requests.single())
            try await writer.write(try await runtime.embed(request, stream: stream, deadline: context.deadline).serialized())
        case .embed:
            try await orderedStreamMap(requests, window: runtime.config.limits.streamWindow) { bytes in
                do {
                    let request = try EmbedRequest(serialized: bytes)
                    do {
                        return try await runtime.embed(request, stream: stream, deadline: context.deadline)
                    } catch {
                        var response = EmbedResponse()
                        response.requestID = request.requestID
                        response.error = ServiceError(error).faceError
                        return response
                    }
                } catch {
                    var response = EmbedResponse()
                    response.error = ServiceError(error).faceError
                    return response
                }
            } emit: { (response: EmbedResponse) in
                try await writer.write(response.serialized())
            }
        case .classifyOne:
            let request = try ClassifyRequest(serialized: try await requests.single())
            try await writer.write(try await runtime.classify(request, stream: stream, deadline: context.deadline).serialized())
        case .classify:
            try await orderedStreamMap(requests, window: runtime.config.limits.streamWindow) { bytes in
                do {
                    let request = try ClassifyRequest(serialized: bytes)
                    do {
                        return try await runtime.classify(request, stream: stream, deadline: context.deadline)
                    } catch {
                        var response = ClassifyResponse()
                        response.requestID = request.requestID
                        response.error = ServiceError(error).faceError
                        runtime.metrics.recordDecision("error")
                        return response
                    }
                } catch {
                    var response = ClassifyResponse()
                    response.error = ServiceError(error).faceError
                    return response
                }
            } emit: { (response: ClassifyResponse) in
                try await writer.write(response.serialized())
            }
        case .enroll:
            try await EnrollSession(runtime: runtime, stream: stream, deadline: context.deadline)
                .run(requests: requests, writer: writer)
        case .listIdentities:
            let request = try ListIdentitiesRequest(serialized: try await requests.single())
            try await writer.write(try await runtime.listIdentities(request).serialized())
        case .getIdentity:
            let request = try GetIdentityRequest(serialized: try await requests.single())
            try await writer.write(try await runtime.getIdentity(request).serialized())
        case .deleteIdentity:
            let request = try DeleteIdentityRequest(serialized: try await requests.single())
            try await writer.write(try await runtime.deleteIdentity(request).serialized())
        case .deleteFace:
            let request = try DeleteFaceRequest(serialized: try await requests.single())
            try await writer.write(try await runtime.deleteFace(request).serialized())
        case .getGalleryStats:
            _ = try GetGalleryStatsRequest(serialized: try await requests.single())
            try await writer.write(try await runtime.galleryStats().serialized())
        }
    }
}
