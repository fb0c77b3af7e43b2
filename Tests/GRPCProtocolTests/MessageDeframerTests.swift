import GRPCProtocol
import Testing

@Suite struct MessageDeframerTests {
    static func framed(_ messages: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = []
        for message in messages { MessageFramer.frame(message, into: &out) }
        return out
    }

    static let messages: [[UInt8]] = [[], [1], Array(repeating: 7, count: 300), [1, 2, 3, 4, 5, 6]]

    /// Every split of the byte stream into chunks of a fixed size yields the same messages.
    @Test(arguments: [1, 2, 3, 5, 7, 64, 1000])
    func reassemblesAcrossChunkSizes(chunk: Int) throws {
        let bytes = Self.framed(Self.messages)
        var deframer = MessageDeframer(maxMessageBytes: 1 << 20)
        var received: [[UInt8]] = []
        var index = 0
        while index < bytes.count {
            deframer.append(Array(bytes[index..<min(index + chunk, bytes.count)]))
            index += chunk
            while let message = try deframer.next() { received.append(message.bytes) }
        }
        #expect(received == Self.messages)
        try deframer.finish()
    }

    /// `process` (the zero-copy path for whole messages) agrees with `append` + `next`.
    @Test(arguments: [1, 4, 5, 6, 306, 1000])
    func processAgreesAcrossChunkSizes(chunk: Int) throws {
        let bytes = Self.framed(Self.messages)
        var deframer = MessageDeframer(maxMessageBytes: 1 << 20)
        var received: [[UInt8]] = []
        var index = 0
        while index < bytes.count {
            let piece = Array(bytes[index..<min(index + chunk, bytes.count)])
            try piece.withUnsafeBytes { try deframer.process($0) { received.append($0.bytes) } }
            index += chunk
        }
        #expect(received == Self.messages)
        try deframer.finish()
    }

    @Test func processRejectsOversizeAndBadFlags() {
        var deframer = MessageDeframer(maxMessageBytes: 3)
        #expect(throws: MessageDeframer.Failure.messageTooLarge(declared: 4, limit: 3)) {
            try [UInt8]([0, 0, 0, 0, 4, 1, 2, 3, 4]).withUnsafeBytes { try deframer.process($0) { _ in } }
        }
        var other = MessageDeframer(maxMessageBytes: 3)
        #expect(throws: MessageDeframer.Failure.invalidFlag(9)) {
            try [UInt8]([9, 0, 0, 0, 0]).withUnsafeBytes { try other.process($0) { _ in } }
        }
    }

    @Test func oversizeIsRejectedFromThePrefixAlone() {
        var deframer = MessageDeframer(maxMessageBytes: 10)
        deframer.append([0, 0, 0, 0, 11])
        #expect(throws: MessageDeframer.Failure.messageTooLarge(declared: 11, limit: 10)) { try deframer.next() }
    }

    @Test func exactlyTheLimitIsAccepted() throws {
        var deframer = MessageDeframer(maxMessageBytes: 10)
        deframer.append(Self.framed([Array(repeating: 1, count: 10)]))
        #expect(try deframer.next()?.bytes.count == 10)
    }

    @Test(arguments: [UInt8(2), 0x80, 0xFF])
    func badFlagIsRejected(flag: UInt8) {
        var deframer = MessageDeframer(maxMessageBytes: 10)
        deframer.append([flag, 0, 0, 0, 1, 9])
        #expect(throws: MessageDeframer.Failure.invalidFlag(flag)) { try deframer.next() }
    }

    @Test func compressedFlagIsReported() throws {
        var deframer = MessageDeframer(maxMessageBytes: 10)
        var bytes: [UInt8] = []
        MessageFramer.frame([4, 2], compressed: true, into: &bytes)
        deframer.append(bytes)
        let message = try #require(try deframer.next())
        #expect(message.compressed)
        #expect(message.bytes == [4, 2])
    }

    @Test(arguments: [[UInt8]([0]), [0, 0, 0, 0, 3, 1]])
    func truncatedStreamFailsAtFinish(bytes: [UInt8]) throws {
        var deframer = MessageDeframer(maxMessageBytes: 10)
        deframer.append(bytes)
        #expect(try deframer.next() == nil)
        #expect(throws: MessageDeframer.Failure.self) { try deframer.finish() }
    }
}
