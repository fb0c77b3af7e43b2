/// Writes gRPC's length-prefixed message framing: a 1-byte compressed flag, a 4-byte big-endian
/// length, then the message bytes.
public enum MessageFramer {
    /// Size of the prefix in bytes.
    public static let prefixBytes = 5

    /// The 5-byte prefix for a message of `length` bytes.
    public static func prefix(length: Int, compressed: Bool) -> (UInt8, UInt8, UInt8, UInt8, UInt8) {
        let n = UInt32(truncatingIfNeeded: length)
        return (compressed ? 1 : 0, UInt8(n >> 24), UInt8((n >> 16) & 0xFF), UInt8((n >> 8) & 0xFF), UInt8(n & 0xFF))
    }

    /// Appends one framed message to `buffer`.
    public static func frame(_ message: [UInt8], compressed: Bool = false, into buffer: inout [UInt8]) {
        let p = prefix(length: message.count, compressed: compressed)
        buffer.append(contentsOf: [p.0, p.1, p.2, p.3, p.4])
        buffer.append(contentsOf: message)
    }
}
