import CNGHTTP2
import NGHTTP2Support
import NIOCore

/// nghttp2 callbacks: non-capturing C function pointers that recover the connection from
/// `user_data` (unretained; the connection outlives its session) and forward to Swift methods.
extension HTTP2ServerConnection {
    static func connection(_ userData: UnsafeMutableRawPointer?) -> HTTP2ServerConnection {
        Unmanaged<HTTP2ServerConnection>.fromOpaque(userData!).takeUnretainedValue()
    }

    static func makeSession(userData: UnsafeMutableRawPointer, config: GRPCServer.Config) throws -> OpaquePointer {
        do {
            return try NGHTTP2Support.makeSession(.server, userData: userData, install: installCallbacks) { option in
                // Request DATA is given back to the peer's window only when the handler takes the
                // message: that is the request-side back-pressure.
                nghttp2_option_set_no_auto_window_update(option, 1)
                nghttp2_option_set_max_deflate_dynamic_table_size(option, 4096)
            }
        } catch {
            throw TransportError(.http2Initialisation, "\(error)")
        }
    }

    private static func installCallbacks(_ callbacks: OpaquePointer) {
        nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks) { _, frame, userData in
            guard let frame else { return 0 }
            if frame.pointee.hd.type == UInt8(NGHTTP2_HEADERS.rawValue),
               frame.pointee.headers.cat == NGHTTP2_HCAT_REQUEST {
                HTTP2ServerConnection.connection(userData).beginHeaders(streamID: frame.pointee.hd.stream_id)
            }
            return 0
        }
        nghttp2_session_callbacks_set_on_header_callback(callbacks) { _, frame, name, nameLength, value, valueLength, _, userData in
            guard let frame, frame.pointee.headers.cat == NGHTTP2_HCAT_REQUEST else { return 0 }
            HTTP2ServerConnection.connection(userData).header(
                streamID: frame.pointee.hd.stream_id,
                name: UnsafeBufferPointer(start: name, count: nameLength),
                value: UnsafeBufferPointer(start: value, count: valueLength))
            return 0
        }
        nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks) { _, frame, userData in
            guard let frame else { return 0 }
            let hd = frame.pointee.hd
            let endStream = hd.flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0
            switch UInt32(hd.type) {
            case NGHTTP2_HEADERS.rawValue:
                if frame.pointee.headers.cat == NGHTTP2_HCAT_REQUEST {
                    HTTP2ServerConnection.connection(userData).requestHeadersComplete(streamID: hd.stream_id, endStream: endStream)
                } else if endStream {
                    HTTP2ServerConnection.connection(userData).endStream(streamID: hd.stream_id)
                }
            case NGHTTP2_DATA.rawValue:
                if endStream { HTTP2ServerConnection.connection(userData).endStream(streamID: hd.stream_id) }
            case NGHTTP2_PING.rawValue:
                if hd.flags & UInt8(NGHTTP2_FLAG_ACK.rawValue) != 0 {
                    HTTP2ServerConnection.connection(userData).pingAcknowledged()
                }
            default:
                break
            }
            return 0
        }
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks) { _, _, streamID, data, length, userData in
            HTTP2ServerConnection.connection(userData).dataChunk(streamID: streamID, bytes: UnsafeRawBufferPointer(start: data, count: length))
            return 0
        }
        nghttp2_session_callbacks_set_on_stream_close_callback(callbacks) { _, streamID, errorCode, userData in
            HTTP2ServerConnection.connection(userData).streamClosed(streamID: streamID, errorCode: errorCode)
            return 0
        }
    }

    /// The data source of every response: hands out a stream's buffered message bytes, then its
    /// trailers; defers while the handler has produced nothing new.
    static let readCallback: nghttp2_data_source_read_callback = { session, streamID, buffer, length, dataFlags, _, userData in
        let connection = HTTP2ServerConnection.connection(userData)
        guard let stream = connection.streams[streamID], let buffer, let dataFlags else {
            return Int(NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue)
        }
        let count = stream.outbound.moveReadableBytes(into: buffer, length: length)
        if stream.outbound.readableBytes == 0 {
            if let trailers = stream.pendingTrailers {
                stream.pendingTrailers = nil
                dataFlags.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue | NGHTTP2_DATA_FLAG_NO_END_STREAM.rawValue
                _ = trailers.withNV { nva, n in nghttp2_submit_trailer(session, streamID, nva, n) }
            } else if count == 0 {
                stream.dataDeferred = true
                return Int(NGHTTP2_ERR_DEFERRED.rawValue)
            }
        }
        stream.outboundDrained()
        return count
    }
}
