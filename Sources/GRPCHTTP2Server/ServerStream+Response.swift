import GRPCProtocol
import NIOCore

/// The response side of a stream: metadata, message writes with back-pressure.
extension ServerStream {
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

    enum EnqueueResult { case done, wait, failed }

    func enqueue(_ message: [UInt8], compress: Bool) -> EnqueueResult {
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

    func waitForWritable(_ continuation: CheckedContinuation<Void, any Error>) {
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
}
