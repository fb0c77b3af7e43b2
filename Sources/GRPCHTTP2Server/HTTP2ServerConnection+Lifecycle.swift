import CNGHTTP2
import NIOCore

/// Keepalive PINGs and graceful shutdown (GOAWAY, then close when the last stream ends).
extension HTTP2ServerConnection {
    // MARK: Keepalive

    func startKeepalive() {
        guard let interval = config.http2.keepaliveInterval else { return }
        let bound = NIOLoopBound(self, eventLoop: loop)
        keepalive = loop.scheduleRepeatedTask(initialDelay: TimeAmount(interval), delay: TimeAmount(interval)) { _ in
            bound.value.keepaliveTick()
        }
    }

    func keepaliveTick() {
        guard let session else { return }
        if awaitingPingAck {
            logger.debug("keepalive PING not acknowledged, closing", metadata: ["peer": "\(peer)"])
            forceClose()
            return
        }
        awaitingPingAck = true
        nghttp2_submit_ping(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), nil)
        flushSession()
    }

    func pingAcknowledged() {
        awaitingPingAck = false
    }

    // MARK: Shutdown

    /// Sends GOAWAY (no new streams) and closes once in-flight streams finish.
    func beginGracefulShutdown() {
        guard let session, !draining else { return }
        draining = true
        nghttp2_submit_goaway(session, UInt8(NGHTTP2_FLAG_NONE.rawValue),
                              nghttp2_session_get_last_proc_stream_id(session),
                              UInt32(NGHTTP2_NO_ERROR.rawValue), nil, 0)
        flushSession()
    }

    /// Closes the connection now (grace period over).
    func forceClose() {
        context?.close(promise: nil)
    }
}
