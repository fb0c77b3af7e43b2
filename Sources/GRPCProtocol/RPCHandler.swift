/// The source of a call's request messages, implemented by the transport.
public protocol RequestSource: AnyObject, Sendable {
    /// The next request message (decompressed), nil at end of stream.
    /// - Throws: `RPCError` when the stream fails (oversize, bad framing) or `CancellationError`.
    func nextMessage() async throws -> [UInt8]?
    /// Whether the message most recently returned by `nextMessage` arrived compressed.
    var lastMessageWasCompressed: Bool { get }
}

/// The sink of a call's response, implemented by the transport.
public protocol ResponseSink: AnyObject, Sendable {
    /// Sets metadata sent with the response headers; ignored after the first `write`.
    func setInitialMetadata(_ metadata: Metadata)
    /// Sets metadata sent with the trailers.
    func setTrailingMetadata(_ metadata: Metadata)
    /// Queues one message; suspends while the peer's flow-control window and the outbound buffer
    /// are full. Throws `CancellationError` once the call is cancelled or reset.
    func write(_ message: [UInt8], compress: Bool) async throws
}

/// Request messages of one call as an async sequence of raw (decoded) message bytes.
public struct RequestStream: AsyncSequence, Sendable {
    /// The element: one message's bytes.
    public typealias Element = [UInt8]
    private let source: any RequestSource

    /// Wraps a transport source.
    public init(source: any RequestSource) { self.source = source }

    /// The iterator; each `next()` awaits the next message.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let source: any RequestSource
        /// Returns the next message or nil at end of stream.
        public mutating func next() async throws -> [UInt8]? { try await source.nextMessage() }
    }

    /// Makes an iterator.
    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(source: source) }

    /// Whether the message most recently returned arrived compressed on the wire (the transport
    /// has already decompressed it).
    public var lastMessageWasCompressed: Bool { source.lastMessageWasCompressed }

    /// Reads exactly one message (unary and server-streaming calls).
    /// - Throws: `RPCError(.internal)` if the client sent zero or more than one message.
    public func single() async throws -> [UInt8] {
        guard let first = try await source.nextMessage() else {
            throw RPCError(.internal, "expected one request message, got none")
        }
        guard try await source.nextMessage() == nil else {
            throw RPCError(.internal, "expected one request message, got more")
        }
        return first
    }
}

/// Writes a call's response: initial metadata, messages, trailing metadata.
public struct ResponseWriter: Sendable {
    private let sink: any ResponseSink

    /// Wraps a transport sink.
    public init(sink: any ResponseSink) { self.sink = sink }

    /// Sets metadata for the response headers (call before the first `write`).
    public func setInitialMetadata(_ metadata: Metadata) { sink.setInitialMetadata(metadata) }

    /// Sets metadata sent with the trailers.
    public func setTrailingMetadata(_ metadata: Metadata) { sink.setTrailingMetadata(metadata) }

    /// Sends one message, suspending under back-pressure.
    /// - Parameter compress: compress with the client's accepted encoding, if any.
    public func write(_ message: [UInt8], compress: Bool = false) async throws {
        try await sink.write(message, compress: compress)
    }
}

/// What a handler knows about its call.
public struct ServerContext: Sendable {
    /// The method being called.
    public var method: MethodPath
    /// Request metadata (non-reserved headers).
    public var metadata: Metadata
    /// When the call's `grpc-timeout` expires, if it sent one (the transport also cancels the
    /// handler's task at that instant).
    public var deadline: ContinuousClock.Instant?
    /// The peer's address, e.g. `127.0.0.1:50312`.
    public var peer: String
    /// Whether the request messages are compressed (the `grpc-encoding` the client used).
    public var requestEncoding: String?

    /// Creates a context.
    public init(method: MethodPath, metadata: Metadata, deadline: ContinuousClock.Instant?, peer: String,
                requestEncoding: String? = nil) {
        self.method = method
        self.metadata = metadata
        self.deadline = deadline
        self.peer = peer
        self.requestEncoding = requestEncoding
    }
}

/// A method implementation: reads requests, writes responses, returns for OK or throws
/// `RPCError` for another status. Cancellation (deadline, reset) cancels the handler's task.
public typealias RPCHandler = @Sendable (RequestStream, ResponseWriter, ServerContext) async throws -> Void
