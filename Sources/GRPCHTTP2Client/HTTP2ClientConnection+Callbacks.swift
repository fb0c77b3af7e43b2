import CNGHTTP2
import NGHTTP2Support
import NIOCore

/// nghttp2 client callbacks: non-capturing C function pointers that recover the connection from
/// `user_data` (unretained; the connection outlives its session) and forward to Swift methods.
extension HTTP2ClientConnection {
    static func connection(_ userData: UnsafeMutableRawPointer?) -> HTTP2ClientConnection {
        Unmanaged<HTTP2ClientConnection>.fromOpaque(userData!).takeUnretainedValue()
    }

    static func makeSession(userData: UnsafeMutableRawPointer) throws -> OpaquePointer {
        do {
            return try NGHTTP2Support.makeSession(.client, userData: userData, install: installCallbacks) { option in
                // Response DATA is given back to the server's window as the caller reads messages
                // (up to `responseBufferBytes` unread per call): that is the response-side back-pressure.
                nghttp2_option_set_no_auto_window_update(option, 1)
            }
        } catch {
            throw ClientTransportError(.http2Initialisation, "\(error)")
        }
    }

    private static func installCallbacks(_ callbacks: OpaquePointer) {
        nghttp2_session_callbacks_set_on_header_callback(callbacks) { _, frame, name, nameLength, value, valueLength, _, userData in
            guard let frame, frame.pointee.hd.type == UInt8(NGHTTP2_HEADERS.rawValue) else { return 0 }
            let connection = HTTP2ClientConnection.connection(userData)
            guard let stream = connection.streams[frame.pointee.hd.stream_id] else { return 0 }
            stream.head.add(name: String(decoding: UnsafeBufferPointer(start: name, count: nameLength), as: UTF8.self),
                            value: String(decoding: UnsafeBufferPointer(start: value, count: valueLength), as: UTF8.self),
                            trailers: frame.pointee.headers.cat != NGHTTP2_HCAT_RESPONSE)
            return 0
        }
        nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks) { _, frame, userData in
            guard let frame else { return 0 }
            let hd = frame.pointee.hd
            let endStream = hd.flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0
            let connection = HTTP2ClientConnection.connection(userData)
            if UInt32(hd.type) == NGHTTP2_SETTINGS.rawValue, hd.flags & UInt8(NGHTTP2_FLAG_ACK.rawValue) == 0 {
                connection.receivedSettings()
                return 0
            }
            guard let stream = connection.streams[hd.stream_id] else { return 0 }
            switch UInt32(hd.type) {
            case NGHTTP2_HEADERS.rawValue:
                if frame.pointee.headers.cat == NGHTTP2_HCAT_RESPONSE {
                    stream.responseHeadersComplete(endStream: endStream)
                } else if endStream {
                    stream.trailersComplete()
                }
            case NGHTTP2_DATA.rawValue:
                if endStream { stream.endStreamWithoutTrailers() }
            default:
                break
            }
            return 0
        }
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks) { _, _, streamID, data, length, userData in
            let connection = HTTP2ClientConnection.connection(userData)
            if let stream = connection.streams[streamID] {
                stream.receiveData(UnsafeRawBufferPointer(start: data, count: length))
            } else {
                connection.consume(stream: streamID, bytes: length)
            }
            return 0
        }
        nghttp2_session_callbacks_set_on_stream_close_callback(callbacks) { _, streamID, errorCode, userData in
            let connection = HTTP2ClientConnection.connection(userData)
            connection.streams.removeValue(forKey: streamID)?.closed(errorCode: errorCode)
            return 0
        }
    }

    /// The data source of every request: hands out a call's buffered message bytes, ends the
    /// stream after the half-close, defers while the caller has produced nothing new.
    static let readCallback: nghttp2_data_source_read_callback = { _, streamID, buffer, length, dataFlags, _, userData in
        let connection = HTTP2ClientConnection.connection(userData)
        guard let stream = connection.streams[streamID], let buffer, let dataFlags else {
            return Int(NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue)
        }
        let count = stream.outbound.moveReadableBytes(into: buffer, length: length)
        if stream.outbound.readableBytes == 0 {
            if stream.requestsFinished {
                dataFlags.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue
            } else if count == 0 {
                stream.dataDeferred = true
                return Int(NGHTTP2_ERR_DEFERRED.rawValue)
            }
        }
        stream.outboundDrained()
        return count
    }
}
