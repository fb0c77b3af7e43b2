import GRPCProtocol
import NIOCore

/// One gRPC call on one HTTP/2 client stream: request bytes out, response messages and the
/// final status in.
///
/// Thread-safety: every mutable property is touched only on `loop` (the connection's event
/// loop); the async entry points (`nextMessage`, `send`, `finishRequests`, `cancel`) hop onto it.
/// That confinement is why the `@unchecked Sendable` is sound.
final class ClientStream: @unchecked Sendable {
    let loop: any EventLoop
    /// Set when the request is submitted; -1 before.
    var id: Int32 = -1
    /// Cleared when the stream closes.
    var connection: HTTP2ClientConnection?

    // Response side.
    var head = ResponseHead()
    private var headersSeen = false
    private var deframer: MessageDeframer
    private var inbound = CircularBuffer<[UInt8]>()
    private var inboundBytes = 0
    private var owedWindowBytes = 0
    private let responseBufferBytes: Int
    private var reader: CheckedContinuation<[UInt8]?, any Error>?
    /// Nil until the call ends; then `.some(nil)` for OK or the error.
    private(set) var outcome: RPCError??

    // Request side.
    var outbound: ByteBuffer
    var requestsFinished = false
    var dataDeferred = false
    private var writer: CheckedContinuation<Void, any Error>?
    private let highWaterBytes: Int

    var deadlineTask: Scheduled<Void>?

    init(connection: HTTP2ClientConnection, config: GRPCClient.Config) {
        self.loop = connection.loop
        self.connection = connection
        self.deframer = MessageDeframer(maxMessageBytes: config.messages.maxResponseBytes)
        self.outbound = ByteBufferAllocator().buffer(capacity: 0)
        self.responseBufferBytes = config.http2.responseBufferBytes
        self.highWaterBytes = config.http2.requestHighWaterBytes
    }

    var isFinished: Bool { outcome != nil }

    // MARK: Response events (event loop, from the session callbacks)

    /// The first HEADERS block ended.
    func responseHeadersComplete(endStream: Bool) {
        headersSeen = true
        if let error = head.headersError {
            finish(error, reset: true)
        } else if endStream {
            finish(head.status, reset: false)  // Trailers-Only
        }
    }

    /// A later HEADERS block (the trailers) ended.
    func trailersComplete() {
        do {
            try deframer.finish()
        } catch {
            finish(RPCError(.internal, "response ended inside a message"), reset: false)
            return
        }
        finish(head.status, reset: false)
    }

    /// DATA payload bytes arrived.
    func receiveData(_ bytes: UnsafeRawBufferPointer) {
        guard let connection else { return }
        guard outcome == nil else {
            // Late DATA of a finished call: nobody reads it, give the window back.
            connection.consume(stream: id, bytes: bytes.count)
            return
        }
        if inboundBytes < responseBufferBytes {
            connection.consume(stream: id, bytes: bytes.count)
        } else {
            owedWindowBytes += bytes.count
        }
        deframer.append(bytes)
        do {
            while let message = try deframer.next() {
                guard !message.compressed else {
                    finish(RPCError(.internal, "compressed response without a negotiated encoding"), reset: true)
                    return
                }
                deliver(message.bytes)
            }
        } catch .messageTooLarge(let declared, let limit) {
            finish(RPCError(.resourceExhausted, "response message of \(declared) bytes exceeds the limit of \(limit) bytes"),
                   reset: true)
        } catch {
            finish(RPCError(.internal, "malformed response framing: \(error)"), reset: true)
        }
    }

    private func deliver(_ message: [UInt8]) {
        if let reader {
            self.reader = nil
            reader.resume(returning: message)
        } else {
            inbound.append(message)
            inboundBytes += message.count
        }
    }

    /// The stream ended with DATA+END_STREAM (no trailers): a protocol violation by the server.
    func endStreamWithoutTrailers() {
        finish(RPCError(.internal, "response stream ended without trailers"), reset: false)
    }

    /// The stream closed (any reason); `errorCode` is the RST_STREAM / GOAWAY code, 0 if clean.
    func closed(errorCode: UInt32) {
        if outcome == nil {
            let code: StatusCode = switch errorCode {
            case 0x7 /* REFUSED_STREAM */: .unavailable
            case 0x8 /* CANCEL */: .cancelled
            case 0xB /* ENHANCE_YOUR_CALM */: .resourceExhausted
            case 0xC /* INADEQUATE_SECURITY */: .permissionDenied
            default: .internal
            }
            let error = RPCError(code, errorCode == 0 ? "stream closed before trailers"
                                                      : "stream reset by server (HTTP/2 error \(errorCode))")
            finish(error, reset: false)
        }
        if owedWindowBytes > 0 {
            // The stream is gone; its unread bytes still count against the connection window.
            connection?.consume(stream: id, bytes: owedWindowBytes)
            owedWindowBytes = 0
        }
        connection = nil
        failWriter()
    }

    /// The connection went away.
    func connectionLost() {
        if outcome == nil { finish(RPCError(.unavailable, "connection closed"), reset: false) }
        connection = nil
        failWriter()
    }

    // MARK: Completion (event loop)

    /// Ends the call with `status` (nil = OK) once; `reset` also sends RST_STREAM(CANCEL).
    func finish(_ status: RPCError?, reset: Bool) {
        guard outcome == nil else { return }
        outcome = .some(status)
        deadlineTask?.cancel()
        deadlineTask = nil
        if reset, let connection { connection.reset(stream: self) }
        if let reader {
            self.reader = nil
            // Messages are queued only while no reader waits, so the queue is empty here.
            if let status { reader.resume(throwing: status) } else { reader.resume(returning: nil) }
        }
        if status != nil { failWriter() }
    }

    /// Cancels the call: RST_STREAM(CANCEL) and status CANCELLED (or DEADLINE_EXCEEDED).
    func cancel(_ error: RPCError) {
        finish(error, reset: true)
    }

    private func failWriter() {
        if let writer {
            self.writer = nil
            writer.resume(throwing: (outcome ?? nil) ?? RPCError(.unavailable, "stream closed"))
        }
    }

    // MARK: Reading (event loop)

    func waitForMessage(_ continuation: CheckedContinuation<[UInt8]?, any Error>) {
        if let message = inbound.popFirst() {
            inboundBytes -= message.count
            if inboundBytes < responseBufferBytes, owedWindowBytes > 0, let connection {
                // Reading made room: grant the window withheld while the buffer was full.
                connection.consume(stream: id, bytes: owedWindowBytes)
                owedWindowBytes = 0
            }
            continuation.resume(returning: message)
        } else if let outcome {
            if let error = outcome { continuation.resume(throwing: error) } else { continuation.resume(returning: nil) }
        } else if reader != nil {
            continuation.resume(throwing: RPCError(.internal, "two concurrent reads of one call's responses"))
        } else {
            reader = continuation
        }
    }

    // MARK: Writing (event loop)

    func enqueue(_ message: [UInt8], _ continuation: CheckedContinuation<Void, any Error>) {
        if let outcome {
            continuation.resume(throwing: outcome ?? RPCError(.failedPrecondition, "call already finished"))
            return
        }
        guard !requestsFinished else {
            continuation.resume(throwing: RPCError(.failedPrecondition, "send after finish"))
            return
        }
        guard let connection else {
            continuation.resume(throwing: RPCError(.unavailable, "stream closed"))
            return
        }
        let prefix = MessageFramer.prefix(length: message.count, compressed: false)
        outbound.writeMultipleIntegers(prefix.0, prefix.1, prefix.2, prefix.3, prefix.4)
        outbound.writeBytes(message)
        connection.resumeIfDeferred(self)
        if outbound.readableBytes > highWaterBytes && writer == nil {
            writer = continuation
        } else {
            continuation.resume()
        }
    }

    /// Half-closes the request side once the buffered bytes are out.
    func finishRequests() {
        guard !requestsFinished else { return }
        requestsFinished = true
        connection?.resumeIfDeferred(self)
    }

    /// Called by the data source after it took bytes from `outbound`.
    func outboundDrained() {
        if outbound.readableBytes <= highWaterBytes / 2, let writer {
            self.writer = nil
            writer.resume()
        }
        if outbound.readableBytes == 0 { outbound.clear() }
    }
}
