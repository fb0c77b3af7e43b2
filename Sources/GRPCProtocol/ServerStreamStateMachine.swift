/// The request head fields the state machine needs from a HEADERS frame.
public struct RequestHead: Sendable, Hashable {
    /// `:method` (must be POST).
    public var method: String?
    /// `:path` (`/Service/Method`).
    public var path: String?
    /// `content-type` (must start with `application/grpc`).
    public var contentType: String?
    /// `grpc-encoding` of request messages, if any.
    public var encoding: String?
    /// `grpc-timeout`, if any.
    public var timeout: String?

    /// Creates a head.
    public init(method: String? = "POST", path: String?, contentType: String? = "application/grpc",
                encoding: String? = nil, timeout: String? = nil) {
        self.method = method
        self.path = path
        self.contentType = contentType
        self.encoding = encoding
        self.timeout = timeout
    }
}

/// The server side of one gRPC stream as a value-type state machine: events in, actions out.
/// It performs no I/O; `GRPCHTTP2Server` performs the actions.
public struct ServerStreamStateMachine: Sendable {
    /// Where the stream is.
    public enum State: Sendable, Hashable {
        /// No request headers yet.
        case idle
        /// Request accepted; tracks whether response headers went out and the client half-closed.
        case open(headersSent: Bool, inboundClosed: Bool)
        /// Trailers sent or stream reset; nothing more may be sent.
        case closed
    }

    /// The answer to request headers.
    public enum HeadAction: Sendable, Hashable {
        /// Route the call (`path` is the raw, non-empty `:path`; the router parses it).
        case accept(path: String, timeout: Duration?, encoding: String?)
        /// Answer with a plain HTTP status and end the stream (e.g. 415, 405).
        case rejectHTTP(status: Int)
        /// Answer Trailers-Only with this status.
        case rejectGRPC(RPCError)
    }

    /// What to do when the handler writes a message.
    public enum SendAction: Sendable, Hashable {
        /// Send response headers first, then the message.
        case sendHeadersThenMessage
        /// Send the message.
        case sendMessage
        /// The stream is closed; drop the message and fail the write.
        case fail
    }

    /// What to do when the call ends with a status.
    public enum FinishAction: Sendable, Hashable {
        /// Send trailers (headers already sent).
        case sendTrailers
        /// Send one HEADERS frame carrying both `:status` and the gRPC status (Trailers-Only).
        case sendTrailersOnly
        /// Already closed; nothing to send.
        case none
    }

    /// What to do when the client half-closes.
    public enum InboundCloseAction: Sendable, Hashable {
        /// Signal end-of-requests to the handler.
        case finishRequests
        /// Ignore (already closed or duplicate).
        case none
    }

    /// The current state.
    public private(set) var state: State = .idle
    /// Encodings accepted for request messages (`identity` is always accepted).
    public let supportedEncodings: Set<String>

    /// Creates a machine accepting `supportedEncodings` besides identity.
    public init(supportedEncodings: Set<String> = ["gzip"]) {
        self.supportedEncodings = supportedEncodings
    }

    /// Request headers arrived.
    public mutating func receiveHeaders(_ head: RequestHead) -> HeadAction {
        guard case .idle = state else {
            state = .closed
            return .rejectGRPC(RPCError(.internal, "unexpected second HEADERS"))
        }
        guard head.method == "POST" else {
            state = .closed
            return .rejectHTTP(status: 405)
        }
        guard let contentType = head.contentType, contentType.hasPrefix("application/grpc") else {
            state = .closed
            return .rejectHTTP(status: 415)
        }
        state = .open(headersSent: false, inboundClosed: false)
        guard let path = head.path, path.utf8.first == UInt8(ascii: "/") else {
            return .rejectGRPC(RPCError(.unimplemented, "malformed method path '\(head.path ?? "")'"))
        }
        var timeout: Duration?
        if let text = head.timeout {
            guard let parsed = GRPCTimeout.parse(text) else {
                return .rejectGRPC(RPCError(.internal, "malformed grpc-timeout '\(text)'"))
            }
            timeout = parsed
        }
        var encoding: String?
        if let name = head.encoding, name != "identity" {
            guard supportedEncodings.contains(name) else {
                return .rejectGRPC(RPCError(.unimplemented, "unsupported grpc-encoding '\(name)'"))
            }
            encoding = name
        }
        return .accept(path: path, timeout: timeout, encoding: encoding)
    }

    /// The client sent END_STREAM.
    public mutating func receiveEndStream() -> InboundCloseAction {
        guard case .open(let headersSent, false) = state else { return .none }
        state = .open(headersSent: headersSent, inboundClosed: true)
        return .finishRequests
    }

    /// The handler wants to send a message.
    public mutating func sendMessage() -> SendAction {
        switch state {
        case .open(false, let inboundClosed):
            state = .open(headersSent: true, inboundClosed: inboundClosed)
            return .sendHeadersThenMessage
        case .open(true, _):
            return .sendMessage
        case .idle, .closed:
            return .fail
        }
    }

    /// The call ends with a status (handler returned or threw, deadline, protocol error).
    public mutating func finish() -> FinishAction {
        switch state {
        case .open(let headersSent, _):
            state = .closed
            return headersSent ? .sendTrailers : .sendTrailersOnly
        case .idle:
            state = .closed
            return .sendTrailersOnly
        case .closed:
            return .none
        }
    }

    /// The stream was reset or closed by the peer or the connection.
    public mutating func reset() {
        state = .closed
    }
}
