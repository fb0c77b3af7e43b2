import CZlib

/// gzip inflate/deflate of single gRPC messages (`grpc-encoding: gzip`). Owns one z_stream per
/// direction for its lifetime; not thread-safe (one per stream, used on its event loop).
final class Gzip {
    private var inflater = z_stream()
    private var deflater = z_stream()
    private var inflaterReady = false
    private var deflaterReady = false

    deinit {
        if inflaterReady { inflateEnd(&inflater) }
        if deflaterReady { deflateEnd(&deflater) }
    }

    /// Inflates one message.
    /// - Throws: `TransportError.compression` when the data is corrupt, or `TooLarge` when the
    ///   output would exceed `limit` bytes.
    func decompress(_ input: [UInt8], limit: Int) throws -> [UInt8] {
        if !inflaterReady {
            guard czlib_inflate_init_gzip(&inflater) == Z_OK else {
                throw TransportError(.compression, "inflateInit2 failed")
            }
            inflaterReady = true
        } else {
            inflateReset(&inflater)
        }
        var output = [UInt8](repeating: 0, count: min(max(input.count * 4, 256), limit + 1))
        var produced = 0
        let status: Int32 = input.withUnsafeBufferPointer { inBuf in
            inflater.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress)
            inflater.avail_in = UInt32(inBuf.count)
            while true {
                if produced == output.count {
                    if output.count > limit { return Z_BUF_ERROR }
                    let grown = min(output.count * 2, limit + 1)
                    output.append(contentsOf: repeatElement(0, count: grown - output.count))
                }
                let rc: Int32 = output.withUnsafeMutableBufferPointer { outBuf in
                    inflater.next_out = outBuf.baseAddress! + produced
                    inflater.avail_out = UInt32(outBuf.count - produced)
                    let rc = inflate(&inflater, Z_NO_FLUSH)
                    produced = outBuf.count - Int(inflater.avail_out)
                    return rc
                }
                if rc == Z_STREAM_END { return Z_STREAM_END }
                if rc != Z_OK { return rc }
                if inflater.avail_in == 0 && inflater.avail_out > 0 { return Z_DATA_ERROR }
            }
        }
        if produced > limit { throw TooLarge(limit: limit) }
        guard status == Z_STREAM_END else {
            throw TransportError(.compression, "corrupt gzip message (zlib status \(status))")
        }
        output.removeSubrange(produced...)
        return output
    }

    /// Deflates one message.
    func compress(_ input: [UInt8]) throws -> [UInt8] {
        if !deflaterReady {
            guard czlib_deflate_init_gzip(&deflater, Z_DEFAULT_COMPRESSION) == Z_OK else {
                throw TransportError(.compression, "deflateInit2 failed")
            }
            deflaterReady = true
        } else {
            deflateReset(&deflater)
        }
        let bound = Int(deflateBound(&deflater, UInt(input.count))) + 32
        var output = [UInt8](repeating: 0, count: bound)
        let produced: Int = input.withUnsafeBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { outBuf in
                deflater.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress)
                deflater.avail_in = UInt32(inBuf.count)
                deflater.next_out = outBuf.baseAddress
                deflater.avail_out = UInt32(outBuf.count)
                let rc = deflate(&deflater, Z_FINISH)
                return rc == Z_STREAM_END ? outBuf.count - Int(deflater.avail_out) : -1
            }
        }
        guard produced >= 0 else { throw TransportError(.compression, "deflate failed") }
        output.removeSubrange(produced...)
        return output
    }

    /// The inflated message would exceed the receive limit.
    struct TooLarge: Error {
        let limit: Int
    }
}
