import CNGHTTP2
import GRPCProtocol
import NIOCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Stream events from the nghttp2 callbacks: request heads, routing, DATA, closes.
extension HTTP2ServerConnection {
    // MARK: Session events (from the callbacks)

    func beginHeaders(streamID: Int32) {
        guard let context else { return }
        streams[streamID] = ServerStream(id: streamID, connection: self, config: config, allocator: context.channel.allocator)
    }

    func header(streamID: Int32, name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) {
        guard let stream = streams[streamID] else { return }
        stream.headerListBytes += name.count + value.count + 32
        if stream.headerListBytes > config.http2.maxHeaderListBytes {
            stream.headerListTooLarge = true
            return
        }
        // Compare names as bytes first: most request headers are skipped without a String.
        if name.first == UInt8(ascii: ":") {
            if name.equals(":path") {
                stream.head.path = String(decoding: value, as: UTF8.self)
            } else if name.equals(":method") {
                stream.head.method = value.equals("POST") ? "POST" : String(decoding: value, as: UTF8.self)
            }
            return
        }
        if name.equals("content-type") {
            stream.head.contentType = value.equals("application/grpc")
                ? "application/grpc" : String(decoding: value, as: UTF8.self)
        } else if name.equals("te") || name.equals("user-agent") {
            return
        } else if name.equals("grpc-timeout") {
            stream.head.timeout = String(decoding: value, as: UTF8.self)
        } else if name.equals("grpc-encoding") {
            stream.head.encoding = String(decoding: value, as: UTF8.self)
        } else if name.equals("grpc-accept-encoding") {
            stream.clientAcceptsGzip = String(decoding: value, as: UTF8.self)
                .split(separator: ",").contains { $0.trimmingSpaces == "gzip" }
        } else {
            let nameString = String(decoding: name, as: UTF8.self)
            if !Metadata.isReserved(nameString) {
                stream.metadata.add(nameString, String(decoding: value, as: UTF8.self))
            }
        }
    }

    func requestHeadersComplete(streamID: Int32, endStream: Bool) {
        guard let stream = streams[streamID] else { return }
        if stream.headerListTooLarge {
            _ = stream.machine.receiveHeaders(RequestHead(method: nil, path: nil))
            submitTrailersOnly(stream: stream, headers: .built(.httpStatus(431)))
            return
        }
        switch stream.machine.receiveHeaders(stream.head) {
        case .rejectHTTP(let status):
            submitTrailersOnly(stream: stream, headers: .built(.httpStatus(status)))
        case .rejectGRPC(let error):
            stream.finish(error)
        case .accept(let path, let timeout, let encoding):
            stream.requestEncoding = encoding
            start(stream, rawPath: path, timeout: timeout)
        }
        if endStream { stream.receiveEndStream() }
    }

    func start(_ stream: ServerStream, rawPath: String, timeout: Duration?) {
        let handler: RPCHandler
        let path: MethodPath
        if let (found, foundHandler) = router.handler(forRawPath: rawPath) {
            path = found
            handler = foundHandler
        } else {
            guard let parsed = MethodPath(path: rawPath) else {
                stream.finish(RPCError(.unimplemented, "malformed method path '\(rawPath)'"))
                return
            }
            unknown(stream, parsed)
            return
        }
        startHandler(stream, path: path, handler: handler, timeout: timeout)
    }

    func unknown(_ stream: ServerStream, _ path: MethodPath) {
        switch router.lookup(path) {
        case .handler:
            stream.finish(RPCError(.internal, "router inconsistency for \(path)"))
        case .unknownService:
            stream.finish(RPCError(.unimplemented, "unknown service \(path.service)"))
            return
        case .unknownMethod:
            stream.finish(RPCError(.unimplemented, "unknown method \(path.method) of service \(path.service)"))
        }
    }

    func startHandler(_ stream: ServerStream, path: MethodPath, handler: @escaping RPCHandler, timeout: Duration?) {
        var deadline: ContinuousClock.Instant?
        if let timeout {
            deadline = clock.now.advanced(by: timeout)
            stream.deadlineTask = loop.scheduleTask(in: TimeAmount(timeout)) { [stream] in stream.expireDeadline() }
        }
        let context = ServerContext(method: path, metadata: stream.metadata, deadline: deadline, peer: peer,
                                    requestEncoding: stream.requestEncoding)
        let body: @Sendable () async -> Void = { [stream] in
            do {
                try await handler(RequestStream(source: stream), ResponseWriter(sink: stream), context)
                stream.finishFromTask(nil)
            } catch let error as RPCError {
                stream.finishFromTask(error)
            } catch is CancellationError {
                stream.finishFromTask(RPCError(.cancelled, "call cancelled"))
            } catch {
                stream.finishFromTask(RPCError(.unknown, "\(error)"))
            }
        }
        stream.task = config.runHandlersOnEventLoop ? Task(executorPreference: taskExecutor, operation: body) : Task(operation: body)
    }

    func dataChunk(streamID: Int32, bytes: UnsafeRawBufferPointer) {
        if let session { nghttp2_session_consume_connection(session, bytes.count) }
        guard let stream = streams[streamID] else { return }
        let giveBack = stream.receiveData(bytes)
        if giveBack > 0 { consume(stream: streamID, bytes: giveBack) }
    }

    func endStream(streamID: Int32) {
        streams[streamID]?.receiveEndStream()
    }

    func streamClosed(streamID: Int32, errorCode: UInt32) {
        guard let stream = streams.removeValue(forKey: streamID) else { return }
        stream.closed(byPeer: errorCode != 0)
        if draining && streams.isEmpty { scheduleFlush() }
    }
}
