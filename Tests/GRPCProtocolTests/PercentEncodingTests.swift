import GRPCProtocol
import Testing

@Suite struct PercentEncodingTests {
    @Test(arguments: [
        ("plain text", "plain text"),
        ("100%", "100%25"),
        ("line\nbreak", "line%0Abreak"),
        ("\t\ttab", "%09%09tab"),
        ("日本", "%E6%97%A5%E6%9C%AC"),
        ("~", "~"),
    ])
    func encodes(message: String, wire: String) {
        #expect(PercentEncoding.encode(message) == wire)
        #expect(PercentEncoding.decode(wire) == message)
    }

    @Test func specialStatusMessageRoundTrips() {
        let message = "\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n"
        #expect(PercentEncoding.decode(PercentEncoding.encode(message)) == message)
        #expect(PercentEncoding.encode(message).utf8.allSatisfy { $0 >= 0x20 && $0 <= 0x7E })
    }

    @Test(arguments: [("%", "%"), ("%4", "%4"), ("%zz", "%zz"), ("a%41", "aA")])
    func decodesLeniently(wire: String, message: String) {
        #expect(PercentEncoding.decode(wire) == message)
    }
}
