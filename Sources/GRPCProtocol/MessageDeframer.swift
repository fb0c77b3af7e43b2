/// Reassembles length-prefixed gRPC messages from arbitrary byte chunks (a message may span many
/// DATA frames and one frame may hold many messages).
///
/// Not thread-safe; owned by one stream. Bytes are copied once into an internal buffer.
public struct MessageDeframer: Sendable {
    /// One complete message as it arrived.
    public struct Message: Sendable, Hashable {
        /// Whether the compressed flag was set (the payload is in the stream's `grpc-encoding`).
        public var compressed: Bool
        /// The payload bytes (still compressed when `compressed`).
        public var bytes: [UInt8]
    }

    /// Why the byte stream cannot be deframed; the stream must be failed.
    public enum Failure: Error, Sendable, Hashable {
        /// The declared length exceeds `maxMessageBytes` (-> RESOURCE_EXHAUSTED).
        case messageTooLarge(declared: Int, limit: Int)
        /// The flag byte is neither 0 nor 1 (-> INTERNAL).
        case invalidFlag(UInt8)
        /// The stream ended in the middle of a message (-> INTERNAL).
        case truncated(bufferedBytes: Int)
    }

    /// Largest accepted message payload, in bytes.
    public let maxMessageBytes: Int
    private var buffer: [UInt8] = []
    private var readIndex = 0

    /// Creates a deframer accepting messages of at most `maxMessageBytes` bytes.
    public init(maxMessageBytes: Int) {
        self.maxMessageBytes = maxMessageBytes
    }

    /// Bytes buffered but not yet returned as messages.
    public var bufferedBytes: Int { buffer.count - readIndex }

    /// Appends received bytes.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if readIndex > 0, readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            readIndex = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// Appends received bytes.
    public mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    /// The next complete message, nil if more bytes are needed.
    /// - Throws: `Failure` when the prefix is invalid or announces an oversize message; the
    ///   header is checked as soon as its 5 bytes arrive, before the payload is buffered.
    public mutating func next() throws(Failure) -> Message? {
        let available = buffer.count - readIndex
        guard available >= MessageFramer.prefixBytes else { return nil }
        let flag = buffer[readIndex]
        guard flag <= 1 else { throw .invalidFlag(flag) }
        let length = Int(buffer[readIndex + 1]) << 24 | Int(buffer[readIndex + 2]) << 16
            | Int(buffer[readIndex + 3]) << 8 | Int(buffer[readIndex + 4])
        guard length <= maxMessageBytes else { throw .messageTooLarge(declared: length, limit: maxMessageBytes) }
        guard available >= MessageFramer.prefixBytes + length else { return nil }
        let start = readIndex + MessageFramer.prefixBytes
        let bytes = Array(buffer[start..<start + length])
        readIndex = start + length
        if readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: buffer.capacity <= 1 << 16)
            readIndex = 0
        } else if readIndex > 1 << 16 {
            buffer.removeFirst(readIndex)
            readIndex = 0
        }
        return Message(compressed: flag == 1, bytes: bytes)
    }

    /// Appends `bytes` and calls `body` for every message completed, without copying into the
    /// internal buffer the messages that lie wholly inside `bytes` (the common case: a whole
    /// unary request in one DATA frame).
    /// - Throws: `Failure` as `next()` does, or what `body` throws.
    public mutating func process(_ bytes: UnsafeRawBufferPointer, _ body: (Message) throws -> Void) throws {
        var offset = 0
        if bufferedBytes == 0 {
            while bytes.count - offset >= MessageFramer.prefixBytes {
                let flag = bytes[offset]
                guard flag <= 1 else { throw Failure.invalidFlag(flag) }
                let length = Int(bytes[offset + 1]) << 24 | Int(bytes[offset + 2]) << 16
                    | Int(bytes[offset + 3]) << 8 | Int(bytes[offset + 4])
                guard length <= maxMessageBytes else {
                    throw Failure.messageTooLarge(declared: length, limit: maxMessageBytes)
                }
                let start = offset + MessageFramer.prefixBytes
                guard bytes.count - start >= length else { break }
                let payload = [UInt8](UnsafeRawBufferPointer(rebasing: bytes[start..<start + length]))
                offset = start + length
                try body(Message(compressed: flag == 1, bytes: payload))
            }
        }
        guard offset < bytes.count else { return }
        append(UnsafeRawBufferPointer(rebasing: bytes[offset...]))
        while let message = try next() { try body(message) }
    }

    /// Call at end of stream: throws `.truncated` if a partial message is buffered.
    public func finish() throws(Failure) {
        if bufferedBytes > 0 { throw .truncated(bufferedBytes: bufferedBytes) }
    }
}
