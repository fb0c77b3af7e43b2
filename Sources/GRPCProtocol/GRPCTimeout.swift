/// Parses and formats the `grpc-timeout` header: 1-8 ASCII digits followed by a unit
/// (`H` hours, `M` minutes, `S` seconds, `m` milliseconds, `u` microseconds, `n` nanoseconds).
public enum GRPCTimeout {
    /// Parses a header value into a duration; nil if it is malformed.
    public static func parse(_ text: some StringProtocol) -> Duration? {
        let utf8 = Array(text.utf8)
        guard utf8.count >= 2, utf8.count <= 9 else { return nil }
        var amount: Int64 = 0
        for byte in utf8.dropLast() {
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            amount = amount * 10 + Int64(byte - 0x30)
        }
        switch utf8.last {
        case UInt8(ascii: "H"): return .seconds(amount * 3600)
        case UInt8(ascii: "M"): return .seconds(amount * 60)
        case UInt8(ascii: "S"): return .seconds(amount)
        case UInt8(ascii: "m"): return .milliseconds(amount)
        case UInt8(ascii: "u"): return .microseconds(amount)
        case UInt8(ascii: "n"): return .nanoseconds(amount)
        default: return nil
        }
    }

    /// Formats a duration with the finest unit that keeps at most 8 digits (rounding up, so the
    /// peer never sees a shorter deadline than intended). Negative durations format as `0n`.
    public static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        if seconds < 0 { return "0n" }
        if seconds >= 99_999_999 * 3600 { return "99999999H" }
        let nanos = Int64(seconds) &* 1_000_000_000 &+ (attoseconds + 999_999_999) / 1_000_000_000
        let units: [(Int64, Character)] = [(1, "n"), (1000, "u"), (1_000_000, "m"),
                                           (1_000_000_000, "S"), (60_000_000_000, "M"),
                                           (3_600_000_000_000, "H")]
        for (scale, unit) in units {
            let value = (nanos + scale - 1) / scale
            if value < 100_000_000 { return "\(value)\(unit)" }
        }
        return "99999999H"
    }
}
