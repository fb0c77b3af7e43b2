import CNGHTTP2
import GRPCProtocol
import Logging
import NGHTTP2Support
import NIOCore

/// One HTTP/2 client connection: feeds socket bytes to an nghttp2 client session, writes what
/// the session produces, and maps HTTP/2 streams to `ClientStream`s.
///
/// Owns the `nghttp2_session` (created in `handlerAdded`, deleted exactly once in `tearDown`);
/// the session's `user_data` is this object, unretained, valid while the session lives.
/// Thread-safety: everything mutable is touched only on `loop`; `GRPCClient` reaches it through
/// `loop.execute`, which is why the `@unchecked Sendable` is sound.
final class HTTP2ClientConnection: ChannelInboundHandler, RemovableChannelHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let loop: any EventLoop
    let config: GRPCClient.Config
    let authority: String
    let scheme: String
    let logger: Logger

    private(set) var session: OpaquePointer?
    private var context: ChannelHandlerContext?
    var streams: [Int32: ClientStream] = [:]
    private var flushScheduled = false
    private var inRead = false
    private(set) var isClosed = false
    /// Completed when the server's first SETTINGS frame arrives (its stream limits are then
    /// known), failed if the connection closes first.
    let settingsReceived: EventLoopPromise<Void>

    init(loop: any EventLoop, config: GRPCClient.Config, authority: String, logger: Logger) {
        self.loop = loop
        self.config = config
        self.authority = authority
        self.scheme = config.tls == nil ? "http" : "https"
        self.logger = logger
        self.settingsReceived = loop.makePromise(of: Void.self)
    }

    // MARK: Channel lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        do {
            session = try Self.makeSession(userData: Unmanaged.passUnretained(self).toOpaque())
        } catch {
            logger.error("cannot create HTTP/2 client session", metadata: ["error": "\(error)"])
            isClosed = true
            context.close(promise: nil)
            return
        }
        submitSettings()
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
        isClosed = true
        settingsReceived.fail(ClientTransportError(.connectFailed, "connection closed before the server's SETTINGS"))
        let open = streams.values
        streams.removeAll()
        for stream in open { stream.connectionLost() }
        if let session {
            nghttp2_session_del(session)
            self.session = nil
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let session else { return }
        let buffer = unwrapInboundIn(data)
        inRead = true
        let result = buffer.withUnsafeReadableBytes { bytes -> Int in
            nghttp2_session_mem_recv(session, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count)
        }
        if result < 0 {
            logger.debug("HTTP/2 protocol error from server, closing connection",
                         metadata: ["error": "\(String(cString: nghttp2_strerror(Int32(result))))"])
            nghttp2_session_terminate_session(session, UInt32(NGHTTP2_PROTOCOL_ERROR.rawValue))
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
        logger.debug("connection error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    /// Sends GOAWAY and closes the socket (open calls fail with UNAVAILABLE).
    func close() {
        if let session {
            nghttp2_session_terminate_session(session, UInt32(NGHTTP2_NO_ERROR.rawValue))
            flushSession()
        }
        context?.close(promise: nil)
    }

    // MARK: Output

    /// Flushes session output at the end of this event-loop tick (batches many calls' frames).
    func scheduleFlush() {
        guard !flushScheduled, !inRead else { return }
        flushScheduled = true
        loop.execute {
            self.flushScheduled = false
            self.flushSession()
        }
    }

    /// Drains what nghttp2 wants to send into one buffer and writes it.
    func flushSession() {
        guard let session, let context, context.channel.isActive, context.channel.isWritable else { return }
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
        }
    }

    /// The server's SETTINGS frame arrived.
    func receivedSettings() {
        settingsReceived.succeed()
    }

    // MARK: Stream actions (event loop)

    /// Submits the request HEADERS (and a deferred DATA provider) for a new call.
    func start(_ stream: ClientStream, path: String, metadata: Metadata, timeout: Duration?) {
        guard !stream.isFinished else { return }  // cancelled before it started
        guard let session, !isClosed else {
            stream.finish(RPCError(.unavailable, "connection closed"), reset: false)
            return
        }
        let headers = RequestHeaders(path: path, authority: authority, scheme: scheme, timeout: timeout,
                                     userAgent: config.userAgent, metadata: metadata)
        var provider = nghttp2_data_provider(source: nghttp2_data_source(ptr: nil), read_callback: Self.readCallback)
        let id = headers.withNV { nva, count in
            nghttp2_submit_request(session, nil, nva, count, &provider, nil)
        }
        guard id > 0 else {
            stream.finish(RPCError(.unavailable, "cannot start stream: \(String(cString: nghttp2_strerror(id)))"), reset: false)
            return
        }
        stream.id = id
        streams[id] = stream
        if let timeout {
            stream.deadlineTask = loop.scheduleTask(in: TimeAmount(timeout)) { [stream] in
                stream.cancel(RPCError(.deadlineExceeded, "deadline exceeded after \(timeout)"))
            }
        }
        scheduleFlush()
    }

    /// Sends RST_STREAM(CANCEL) for a call the client gave up on.
    func reset(stream: ClientStream) {
        guard let session, stream.id > 0 else { return }
        nghttp2_submit_rst_stream(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), stream.id, UInt32(NGHTTP2_CANCEL.rawValue))
        scheduleFlush()
    }

    /// Restarts a stream's DATA provider after new request bytes or the half-close.
    func resumeIfDeferred(_ stream: ClientStream) {
        guard let session, stream.dataDeferred, stream.id > 0 else { return }
        stream.dataDeferred = false
        nghttp2_session_resume_data(session, stream.id)
        scheduleFlush()
    }

    /// Gives `bytes` of a stream's DATA back to the server's flow-control windows.
    func consume(stream id: Int32, bytes: Int) {
        guard let session, bytes > 0 else { return }
        nghttp2_session_consume(session, id, bytes)
        scheduleFlush()
    }

    private func submitSettings() {
        guard let session else { return }
        let h2 = config.http2
        var settings = [
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_ENABLE_PUSH.rawValue), value: 0),
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE.rawValue),
                                   value: UInt32(clamping: min(h2.streamWindowBytes, Int(Int32.max)))),
        ]
        nghttp2_submit_settings(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), &settings, settings.count)
        nghttp2_session_set_local_window_size(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), 0,
                                              Int32(clamping: h2.connectionWindowBytes))
    }
}

extension TimeAmount {
    /// A NIO time amount from a Swift duration (saturating).
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        let nanos = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        self = .nanoseconds(nanos.overflow ? Int64.max / 2 : nanos.partialValue + attoseconds / 1_000_000_000)
    }
}
