import CNGHTTP2
import GRPCProtocol
import Logging
import NGHTTP2Support
import NIOCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One HTTP/2 connection: feeds socket bytes to an nghttp2 server session and writes what the
/// session produces, routing each request stream to a handler task.
///
/// Owns the `nghttp2_session` (created in `handlerAdded`, deleted exactly once in
/// `handlerRemoved`); the session's `user_data` is this object, unretained, valid while the
/// session lives. Everything runs on the channel's event loop.
final class HTTP2ServerConnection: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let loop: any EventLoop
    let config: GRPCServer.Config
    let router: Router
    let logger: Logger
    let taskExecutor: EventLoopTaskExecutor
    let registry: ConnectionRegistry
    /// Copied into every new stream (building its encoding set once per connection).
    let streamMachineTemplate: ServerStreamStateMachine

    private(set) var session: OpaquePointer?
    var context: ChannelHandlerContext?
    var streams: [Int32: ServerStream] = [:]
    var flushScheduled = false
    var inRead = false
    var draining = false
    var peer = "unknown"
    var keepalive: RepeatedTask?
    var awaitingPingAck = false
    let clock = ContinuousClock()

    init(loop: any EventLoop, config: GRPCServer.Config, router: Router, logger: Logger, registry: ConnectionRegistry) {
        self.loop = loop
        self.config = config
        self.router = router
        self.logger = logger
        self.taskExecutor = EventLoopTaskExecutor(loop: loop)
        self.registry = registry
        self.streamMachineTemplate = ServerStreamStateMachine(supportedEncodings: Set(config.messages.acceptedEncodings))
    }

    // MARK: Channel lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if let address = context.channel.remoteAddress {
            peer = "\(address.ipAddress ?? "?"):\(address.port ?? 0)"
        }
        do {
            session = try Self.makeSession(userData: Unmanaged.passUnretained(self).toOpaque(), config: config)
        } catch {
            logger.error("cannot create HTTP/2 session", metadata: ["error": "\(error)"])
            context.close(promise: nil)
            return
        }
        submitSettings()
        startKeepalive()
        registry.add(self)
        if context.channel.isActive { flushSession() }
    }

    func channelActive(context: ChannelHandlerContext) {
        flushSession()
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        tearDown()
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        tearDown()
        context.fireChannelInactive()
    }

    private func tearDown() {
        keepalive?.cancel()
        keepalive = nil
        for stream in streams.values { stream.closed(byPeer: true) }
        streams.removeAll()
        if let session {
            nghttp2_session_del(session)
            self.session = nil
        }
        registry.remove(self)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let session else { return }
        let buffer = unwrapInboundIn(data)
        inRead = true
        let result = buffer.withUnsafeReadableBytes { bytes -> Int in
            nghttp2_session_mem_recv(session, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count)
        }
        if result < 0 {
            logger.debug("HTTP/2 protocol error, closing connection",
                         metadata: ["peer": "\(peer)", "error": "\(String(cString: nghttp2_strerror(Int32(result))))"])
            if result != Int(NGHTTP2_ERR_BAD_CLIENT_MAGIC.rawValue) {
                nghttp2_session_terminate_session(session, UInt32(NGHTTP2_PROTOCOL_ERROR.rawValue))
            }
            flushSession()
            context.close(promise: nil)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        inRead = false
        flushSession()
        context.fireChannelReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { flushSession() }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("connection error", metadata: ["peer": "\(peer)", "error": "\(error)"])
        context.close(promise: nil)
    }

    // MARK: Output

    /// Flushes session output at the end of this event-loop tick (batches many responses).
    func scheduleFlush() {
        guard !flushScheduled, !inRead else { return }
        flushScheduled = true
        let bound = NIOLoopBound(self, eventLoop: loop)
        loop.execute {
            bound.value.flushScheduled = false
            bound.value.flushSession()
        }
    }

    /// Drains everything nghttp2 wants to send into one buffer and writes it.
    func flushSession() {
        guard let session, let context, context.channel.isActive else { return }
        guard context.channel.isWritable else { return }
        let out: ByteBuffer?
        do {
            out = try NGHTTP2Support.pendingOutput(session, allocator: context.channel.allocator)
        } catch {
            logger.debug("cannot send", metadata: ["error": "\(error)"])
            context.close(promise: nil)
            return
        }
        if let out {
            context.writeAndFlush(wrapOutboundOut(out), promise: nil)
            if nghttp2_session_want_write(session) != 0 { scheduleFlush() }
        }
        if nghttp2_session_want_read(session) == 0 && nghttp2_session_want_write(session) == 0 {
            context.close(promise: nil)
        } else if draining && streams.isEmpty && nghttp2_session_want_write(session) == 0 {
            context.close(promise: nil)
        }
    }

    // MARK: Stream actions (called by ServerStream on the loop)

    func submitResponse(stream: ServerStream, headers: ResponseHeaders) {
        guard let session else { return }
        var provider = nghttp2_data_provider(source: nghttp2_data_source(ptr: nil), read_callback: Self.readCallback)
        let rc = headers.withNV { nva, count in
            nghttp2_submit_response(session, stream.id, nva, count, &provider)
        }
        if rc != 0 { logger.debug("submit_response failed", metadata: ["rc": "\(rc)"]) }
        scheduleFlush()
    }

    func submitTrailersOnly(stream: ServerStream, headers: ResponseHeaders) {
        guard let session else { return }
        let rc = headers.withNV { nva, count in
            nghttp2_submit_response(session, stream.id, nva, count, nil)
        }
        if rc != 0 { logger.debug("submit trailers-only failed", metadata: ["rc": "\(rc)"]) }
        scheduleFlush()
    }

    func resumeIfDeferred(_ stream: ServerStream) {
        guard let session, stream.dataDeferred else { return }
        stream.dataDeferred = false
        nghttp2_session_resume_data(session, stream.id)
        scheduleFlush()
    }

    /// Gives `bytes` of a stream's DATA back to the peer's stream window (the handler took the
    /// message they carried). The connection window is credited on receipt (`dataChunk`), so a
    /// slow handler holds back only its own stream and nothing leaks when a stream dies with
    /// unread messages.
    func consume(stream id: Int32, bytes: Int) {
        guard let session, bytes > 0 else { return }
        nghttp2_session_consume_stream(session, id, bytes)
        scheduleFlush()
    }

    func submitSettings() {
        guard let session else { return }
        let h2 = config.http2
        var settings = [
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS.rawValue),
                                   value: UInt32(clamping: h2.maxConcurrentStreams)),
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE.rawValue),
                                   value: UInt32(clamping: min(h2.streamWindowBytes, Int(Int32.max)))),
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE.rawValue),
                                   value: UInt32(clamping: h2.maxHeaderListBytes)),
        ]
        nghttp2_submit_settings(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), &settings, settings.count)
        nghttp2_session_set_local_window_size(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), 0,
                                              Int32(clamping: h2.connectionWindowBytes))
    }
}

extension ServerStream {
    /// Called from the handler task when it ends; hops to the loop if needed.
    func finishFromTask(_ status: RPCError?) {
        if loop.inEventLoop {
            finishOrDeadline(status)
        } else {
            loop.execute { self.finishOrDeadline(status) }
        }
    }

    private func finishOrDeadline(_ status: RPCError?) {
        if deadlineExpired { return }
        finish(status)
    }
}

extension TimeAmount {
    /// Converts a Swift `Duration` (saturating far-future values).
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        let nanos = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        self = .nanoseconds(nanos.overflow ? Int64.max / 2 : nanos.partialValue + attoseconds / 1_000_000_000)
    }
}

extension UnsafeBufferPointer<UInt8> {
    /// Byte-wise comparison with an ASCII literal (memcmp; the generic `elementsEqual` is slow).
    @inline(__always)
    func equals(_ literal: StaticString) -> Bool {
        count == literal.utf8CodeUnitCount && (count == 0 || memcmp(baseAddress!, literal.utf8Start, count) == 0)
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var s = self
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return s
    }
}
