import FaceGateAPI
import GRPCHTTP2Client
import GRPCProtocol

/// A typed bidirectional call: send requests, read decoded responses.
///
/// Read `responses` from one task while another sends, or interleave in one task (the server
/// answers as faces are processed). `finish()` half-closes; `cancel()` gives up (RST_STREAM).
public struct BidiStream<Request: ProtoCMessage, Response: ProtoCMessage>: Sendable {
    /// The untyped call underneath.
    public let call: ClientCall

    /// Wraps a started call.
    public init(call: ClientCall) { self.call = call }

    /// Sends one request; suspends under flow-control back-pressure.
    /// - Throws: `RPCError` when the call already ended or the task is cancelled.
    public func send(_ request: Request) async throws {
        try await call.requests.send(request.serialized())
    }

    /// Half-closes the request side.
    public func finish() { call.requests.finish() }

    /// Cancels the call.
    public func cancel() { call.cancel() }

    /// The decoded responses; iteration ends at an OK status, throws `RPCError` otherwise.
    public var responses: Responses { Responses(messages: call.responses) }

    /// Decoded response messages.
    public struct Responses: AsyncSequence, Sendable {
        /// One decoded response.
        public typealias Element = Response
        let messages: ResponseMessages

        /// The iterator.
        public struct AsyncIterator: AsyncIteratorProtocol {
            var inner: ResponseMessages.AsyncIterator

            /// The next response, nil after an OK status.
            public mutating func next() async throws -> Response? {
                guard let bytes = try await inner.next() else { return nil }
                return try Response.decodeResponse(bytes)
            }
        }

        /// Makes an iterator.
        public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(inner: messages.makeAsyncIterator()) }
    }
}
