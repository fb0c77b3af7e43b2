import GRPCProtocol
import NIOCore

/// A started call: a writer for request messages and an async sequence of response messages.
///
/// Read `responses` from one task at a time. Dropping a call without finishing it leaves the
/// stream open until its deadline or the connection closes: call `cancel()` to give up.
public struct ClientCall: Sendable {
    /// Sends request messages and half-closes.
    public let requests: RequestWriter
    /// The response messages; iteration ends at an OK status and throws `RPCError` otherwise.
    public let responses: ResponseMessages
    private let stream: ClientStream

    init(stream: ClientStream) {
        self.stream = stream
        self.requests = RequestWriter(stream: stream)
        self.responses = ResponseMessages(stream: stream)
    }

    /// Cancels the call: sends RST_STREAM(CANCEL); pending and later reads throw CANCELLED.
    public func cancel() {
        let stream = self.stream
        stream.loop.execute { stream.cancel(RPCError(.cancelled, "cancelled by the client")) }
    }

    /// The response headers' metadata received so far (empty before the headers arrive).
    public func initialMetadata() async -> Metadata {
        let stream = self.stream
        return (try? await stream.loop.submit { stream.head.initialMetadata }.get()) ?? Metadata()
    }
}

/// Writes one call's request messages.
public struct RequestWriter: Sendable {
    let stream: ClientStream

    /// Queues one message; suspends while more than the configured high-water mark of request
    /// bytes is buffered (the server's flow-control window is full).
    /// - Throws: the call's status if it already ended, CANCELLED if the task is cancelled.
    public func send(_ message: [UInt8]) async throws {
        let stream = self.stream
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                stream.loop.execute { stream.enqueue(message, continuation) }
            }
        } onCancel: {
            stream.loop.execute { stream.cancel(RPCError(.cancelled, "cancelled by the client")) }
        }
    }

    /// Half-closes the request side (END_STREAM after the queued messages).
    public func finish() {
        let stream = self.stream
        stream.loop.execute { stream.finishRequests() }
    }
}

/// The response messages of one call, in order.
public struct ResponseMessages: AsyncSequence, Sendable {
    /// One message's bytes.
    public typealias Element = [UInt8]
    let stream: ClientStream

    /// The iterator; `next()` throws `RPCError` when the call ends with a non-OK status and
    /// cancels the call when the awaiting task is cancelled.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let stream: ClientStream

        /// The next message, or nil after an OK status.
        public mutating func next() async throws -> [UInt8]? {
            let stream = self.stream
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[UInt8]?, any Error>) in
                    stream.loop.execute { stream.waitForMessage(continuation) }
                }
            } onCancel: {
                stream.loop.execute { stream.cancel(RPCError(.cancelled, "cancelled by the client")) }
            }
        }
    }

    /// Makes an iterator.
    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(stream: stream) }
}
