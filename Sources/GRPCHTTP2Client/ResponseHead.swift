import GRPCProtocol

/// What a call's response HEADERS and trailers said, and the status they add up to.
///
/// Pure value logic (no I/O): the header callbacks feed fields with `add`, the stream asks
/// `headersError` when the first HEADERS block ends and `status` when the trailers end.
struct ResponseHead: Sendable {
    var httpStatus: Int?
    var contentType: String?
    var grpcStatus: String?
    var grpcMessage: String?
    /// Non-reserved fields of the response headers.
    var initialMetadata = Metadata()
    /// Non-reserved fields of the trailers.
    var trailingMetadata = Metadata()

    /// Records one field; `trailers` says which block it came from.
    mutating func add(name: String, value: String, trailers: Bool) {
        switch name {
        case ":status": httpStatus = Int(value)
        case "content-type": contentType = value
        case "grpc-status": grpcStatus = value
        case "grpc-message": grpcMessage = value
        default:
            guard !Metadata.isReserved(name) else { return }
            if trailers { trailingMetadata.add(name, value) } else { initialMetadata.add(name, value) }
        }
    }

    /// Why the first HEADERS block is not a gRPC response, or nil when it is.
    var headersError: RPCError? {
        guard let httpStatus else { return RPCError(.internal, "response without :status") }
        guard httpStatus == 200 else {
            return RPCError(Self.code(forHTTPStatus: httpStatus), "HTTP status \(httpStatus)")
        }
        guard let contentType, contentType.hasPrefix("application/grpc") else {
            return RPCError(.unknown, "response content-type \(contentType ?? "missing") is not gRPC")
        }
        return nil
    }

    /// The call's final status: nil for OK, else the error (message percent-decoded, trailers
    /// attached as trailing metadata).
    var status: RPCError? {
        guard let text = grpcStatus else {
            return RPCError(.internal, "stream ended without grpc-status", trailingMetadata: trailingMetadata)
        }
        guard let number = Int(text) else {
            return RPCError(.unknown, "malformed grpc-status \(text)", trailingMetadata: trailingMetadata)
        }
        let code = StatusCode(wireValue: number)
        if code == .ok { return nil }
        return RPCError(code, grpcMessage.map(PercentEncoding.decode) ?? "", trailingMetadata: trailingMetadata)
    }

    /// gRPC's mapping of HTTP status codes for responses that are not gRPC
    /// (`doc/http-grpc-status-mapping.md`).
    static func code(forHTTPStatus status: Int) -> StatusCode {
        switch status {
        case 400: .internal
        case 401: .unauthenticated
        case 403: .permissionDenied
        case 404: .unimplemented
        case 429, 502, 503, 504: .unavailable
        default: .unknown
        }
    }
}
