import GRPCProtocol
import NIOCore

/// One gRPC call on one HTTP/2 stream: the request source and response sink a handler sees.
///
/// Thread-safety: every mutable property is touched only on `loop` (the connection's event
/// loop). The async entry points (`nextMessage`, `write`) run there directly when the handler
/// task runs on the loop's task executor, and hop onto it otherwise. That confinement is why
/// the `@unchecked Sendable` is sound.
final class ServerStream: RequestSource, ResponseSink, @unchecked Sendable {
    let id: Int32
    let loop: any EventLoop
    /// Cleared when the stream closes; the stream then fails every read and write.
    var connection: HTTP2ServerConnection?
    var machine: ServerStreamStateMachine

    // Request head, filled by header callbacks.
    var head = RequestHead(method: nil, path: nil, contentType: nil)
    var metadata = Metadata()
    var headerListBytes = 0
    var headerListTooLarge = false
    var clientAcceptsGzip = false

    // Inbound messages.
    var deframer: MessageDeframer
    /// The receive limit (kept apart from `deframer`, which is busy while messages are delivered).
    let maxMessageBytes: Int
    var requestEncoding: String?
    private var gzip: Gzip?
    // A plain array with a read index: most calls queue at most one message, and an empty
    // array allocates nothing.
    private var inbound: [(message: [UInt8], wireBytes: Int, compressed: Bool)] = []
    private var inboundHead = 0
    private var lastCompressed = false
    private var inboundFinished = false
    private var inboundError: (any Error)?
    private var reader: CheckedContinuation<[UInt8]?, any Error>?
    private var pendingWireBytes = 0

    // Outbound.
    var outbound: ByteBuffer
    var dataDeferred = false
    var pendingTrailers: ResponseHeaders?
    private var writer: CheckedContinuation<Void, any Error>?
    private var initialMetadata = Metadata()
    private var trailingMetadata = Metadata()
    let highWaterBytes: Int

    // Lifecycle.
    var task: Task<Void, Never>?
    var deadlineTask: Scheduled<Void>?
    private(set) var deadlineExpired = false

    init(id: Int32, connection: HTTP2ServerConnection, config: GRPCServer.Config, allocator: ByteBufferAllocator) {
        self.id = id
        self.loop = connection.loop
        self.connection = connection
        self.machine = connection.streamMachineTemplate
        self.deframer = MessageDeframer(maxMessageBytes: config.messages.maxReceiveBytes)
        self.maxMessageBytes = config.messages.maxReceiveBytes
        self.outbound = allocator.buffer(capacity: 64)
        self.highWaterBytes = config.http2.streamOutboundHighWaterBytes
    }

    var isClosed: Bool { connection == nil }

    // MARK: Inbound (event loop)

    /// Feeds DATA payload bytes. Returns the number of bytes that can be given back to the
    /// peer's window right away (bytes that do not become a queued message).
    func receiveData(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard case .open(_, false) = machine.state else { return bytes.count }
        pendingWireBytes += bytes.count
        do {
            try deframer.process(bytes) { message in
                let wire = message.bytes.count + MessageFramer.prefixBytes
                pendingWireBytes -= wire
                try deliver(message, wireBytes: wire)
            }
        } catch let failure as MessageDeframer.Failure {
            fail(Self.status(for: failure))
        } catch let error as RPCError {
            fail(error)
        } catch {
            fail(RPCError(.internal, "\(error)"))
        }
        return 0
    }

    private func deliver(_ message: MessageDeframer.Message, wireBytes: Int) throws {
        var bytes = message.bytes
        if message.compressed {
            guard let encoding = requestEncoding else {
                throw RPCError(.internal, "compressed message without grpc-encoding")
            }
            guard encoding == "gzip" else { throw RPCError(.unimplemented, "unsupported encoding \(encoding)") }
            if gzip == nil { gzip = Gzip() }
            do {
                bytes = try gzip!.decompress(bytes, limit: maxMessageBytes)
            } catch is Gzip.TooLarge {
                throw RPCError(.resourceExhausted, "decompressed message larger than \(maxMessageBytes) bytes")
            } catch {
                throw RPCError(.internal, "cannot decompress message: \(error)")
            }
        }
        if let reader {
            self.reader = nil
            connection?.consume(stream: id, bytes: wireBytes)
            lastCompressed = message.compressed
            reader.resume(returning: bytes)
        } else {
            inbound.append((bytes, wireBytes, message.compressed))
        }
    }

    /// The client half-closed the stream.
    func receiveEndStream() {
        guard machine.receiveEndStream() == .finishRequests else { return }
        do {
            try deframer.finish()
        } catch {
            fail(RPCError(.internal, "stream ended inside a message (\(deframer.bufferedBytes) bytes buffered)"))
            return
        }
        inboundFinished = true
        if let reader {
            self.reader = nil
            reader.resume(returning: nil)
        }
    }

    static func status(for failure: MessageDeframer.Failure) -> RPCError {
        switch failure {
        case .messageTooLarge(let declared, let limit):
            RPCError(.resourceExhausted, "request message of \(declared) bytes exceeds the limit of \(limit) bytes")
        case .invalidFlag(let flag):
            RPCError(.internal, "invalid message flag \(flag)")
        case .truncated(let buffered):
            RPCError(.internal, "stream ended inside a message (\(buffered) bytes buffered)")
        }
    }

    // MARK: RequestSource

    /// Read by the handler task after `nextMessage` returned (same loop when on the loop
    /// executor; otherwise ordered by the continuation's resumption).
    var lastMessageWasCompressed: Bool { lastCompressed }

    func nextMessage() async throws -> [UInt8]? {
        if loop.inEventLoop, let ready = try takeReady() { return ready.message }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[UInt8]?, any Error>) in
                if loop.inEventLoop {
                    self.waitForMessage(continuation)
                } else {
                    loop.execute { self.waitForMessage(continuation) }
                }
            }
        } onCancel: {
            loop.execute { self.failWaiters(CancellationError()) }
        }
    }

    /// A message, end of stream (`.some(nil)`) or nil when the caller must wait.
    private func takeReady() throws -> (message: [UInt8]?, Void)? {
        if let error = inboundError { throw error }
        if inboundHead < inbound.count {
            let next = inbound[inboundHead]
            inboundHead += 1
            if inboundHead == inbound.count {
                inbound.removeAll(keepingCapacity: true)
                inboundHead = 0
            }
            connection?.consume(stream: id, bytes: next.wireBytes)
            lastCompressed = next.compressed
            return (next.message, ())
        }
        if inboundFinished { return (nil, ()) }
        if isClosed { throw CancellationError() }
        return nil
    }

    private func waitForMessage(_ continuation: CheckedContinuation<[UInt8]?, any Error>) {
        do {
            if let ready = try takeReady() {
                continuation.resume(returning: ready.message)
            } else if Task.isCancelled {
                continuation.resume(throwing: CancellationError())
            } else {
                reader = continuation
            }
        } catch {
            continuation.resume(throwing: error)
        }
    }

    // MARK: ResponseSink

    func setInitialMetadata(_ metadata: Metadata) {
        if loop.inEventLoop { initialMetadata = metadata } else { loop.execute { self.initialMetadata = metadata } }
    }

    func setTrailingMetadata(_ metadata: Metadata) {
        if loop.inEventLoop { trailingMetadata = metadata } else { loop.execute { self.trailingMetadata = metadata } }
    }

    func write(_ message: [UInt8], compress: Bool) async throws {
        if loop.inEventLoop {
            switch enqueue(message, compress: compress) {
            case .done: return
            case .failed: throw CancellationError()
            case .wait: break
            }
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                if loop.inEventLoop {
                    self.waitForWritable(continuation)
                } else {
                    loop.execute {
                        switch self.enqueue(message, compress: compress) {
                        case .done: continuation.resume()
                        case .failed: continuation.resume(throwing: CancellationError())
                        case .wait: self.waitForWritable(continuation)
                        }
                    }
                }
            }
        } onCancel: {
            loop.execute { self.failWaiters(CancellationError()) }
        }
    }

    private enum EnqueueResult { case done, wait, failed }

    private func enqueue(_ message: [UInt8], compress: Bool) -> EnqueueResult {
        guard let connection else { return .failed }
        var payload = message
        var compressed = false
        if compress && clientAcceptsGzip {
            if gzip == nil { gzip = Gzip() }
            if let deflated = try? gzip!.compress(message) {
                payload = deflated
                compressed = true
            }
        }
        let action = machine.sendMessage()
        guard action != .fail else { return .failed }
        let prefix = MessageFramer.prefix(length: payload.count, compressed: compressed)
        outbound.writeMultipleIntegers(prefix.0, prefix.1, prefix.2, prefix.3, prefix.4)
        outbound.writeBytes(payload)
        if action == .sendHeadersThenMessage {
            let headers: ResponseHeaders = initialMetadata.isEmpty
                ? .prepared(clientAcceptsGzip ? .responseGzip : .response)
                : .built(.responseHeaders(metadata: initialMetadata, responseEncoding: clientAcceptsGzip ? "gzip" : nil))
            connection.submitResponse(stream: self, headers: headers)
        } else {
            connection.resumeIfDeferred(self)
        }
        return outbound.readableBytes > highWaterBytes ? .wait : .done
    }

    private func waitForWritable(_ continuation: CheckedContinuation<Void, any Error>) {
        if isClosed || machine.state == .closed {
            continuation.resume(throwing: CancellationError())
        } else if outbound.readableBytes <= highWaterBytes {
            continuation.resume()
        } else {
            writer = continuation
        }
    }

    /// Called by the data source after it took bytes from `outbound`.
    func outboundDrained() {
        if outbound.readableBytes <= highWaterBytes / 2, let writer {
            self.writer = nil
            writer.resume()
        }
        if outbound.readableBytes == 0 { outbound.clear() }
    }

    // MARK: Completion (event loop)

    /// The handler finished (`status` nil means OK) or the call failed; sends the status once.
    func finish(_ status: RPCError?) {
        guard let connection else { return }
        deadlineTask?.cancel()
        deadlineTask = nil
        switch machine.finish() {
        case .none:
            return
        case .sendTrailers:
            pendingTrailers = status == nil && trailingMetadata.isEmpty
                ? .prepared(.okTrailers)
                : .built(.trailers(status: status, metadata: trailingMetadata, trailersOnly: false))
            connection.resumeIfDeferred(self)
        case .sendTrailersOnly:
            connection.submitTrailersOnly(
                stream: self, headers: .built(.trailers(status: status, metadata: trailingMetadata, trailersOnly: true)))
        }
        failWaiters(CancellationError())
        connection.scheduleFlush()
    }

    /// Fails the call with `status` and cancels its handler.
    func fail(_ status: RPCError) {
        inboundError = status
        finish(status)
        task?.cancel()
    }

    /// The call's deadline passed.
    func expireDeadline() {
        deadlineTask = nil
        deadlineExpired = true
        fail(RPCError(.deadlineExceeded, "deadline exceeded"))
    }

    /// The stream is gone (closed by trailers, RST_STREAM from the client, or connection loss).
    func closed(byPeer: Bool) {
        deadlineTask?.cancel()
        deadlineTask = nil
        let wasOpen = machine.state != .closed
        machine.reset()
        connection = nil
        if wasOpen { task?.cancel() }
        if byPeer && inboundError == nil { inboundError = CancellationError() }
        failWaiters(CancellationError())
    }

    private func failWaiters(_ error: any Error) {
        if let reader {
            self.reader = nil
            reader.resume(throwing: inboundError ?? error)
        }
        if let writer {
            self.writer = nil
            writer.resume(throwing: error)
        }
    }
}
