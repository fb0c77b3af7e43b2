import Foundation

/// Error versus discard: identification error after discarding the given fraction of probes
/// with the highest OOD scores (the lowest-quality ones), as CSV and as an SVG plot.
public struct DiscardCurve: Sendable, Equatable {
    /// One point of the curve.
    public struct Point: Sendable, Equatable {
        /// Fraction of probes discarded, 0...1.
        public var discarded: Double
        /// Error rate among the kept probes.
        public var error: Double
        /// Probes kept.
        public var kept: Int
    }

    /// Points in increasing `discarded` order.
    public var points: [Point]

    /// Computes the curve from per-probe correctness and OOD scores at `fractions`.
    public init(correct: [Bool], scores: [Float], fractions: [Double] = stride(from: 0, through: 0.5, by: 0.01).map { $0 }) {
        // Ascending score: the best probes first; ties keep input order.
        let order = scores.indices.sorted { scores[$0] < scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
        var prefixCorrect = [0]
        for i in order { prefixCorrect.append(prefixCorrect.last! + (correct[i] ? 1 : 0)) }
        points = fractions.map { f in
            let kept = max(0, order.count - Int((f * Double(order.count)).rounded()))
            let err = kept == 0 ? 0 : 1 - Double(prefixCorrect[kept]) / Double(kept)
            return Point(discarded: f, error: err, kept: kept)
        }
    }

    /// `discarded,error,kept` rows with a header.
    public var csv: String {
        "discarded_fraction,error_rate,kept_probes\n"
            + points.map { String(format: "%.4f,%.6f,%d", $0.discarded, $0.error, $0.kept) }.joined(separator: "\n") + "\n"
    }

    /// A self-contained SVG line plot (error % against discarded %), with an optional marker at
    /// the gate's operating point.
    public func svg(title: String, operatingPoint: Point? = nil) -> String {
        let w = 640.0, h = 400.0, left = 60.0, right = 20.0, top = 40.0, bottom = 50.0
        let maxX = max(points.last?.discarded ?? 0.5, operatingPoint?.discarded ?? 0, 0.01)
        let maxY = max((points.map(\.error).max() ?? 0.05) * 1.1, 0.01)
        func px(_ x: Double) -> Double { left + x / maxX * (w - left - right) }
        func py(_ y: Double) -> Double { h - bottom - y / maxY * (h - top - bottom) }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(w))\" height=\"\(Int(h))\" font-family=\"sans-serif\" font-size=\"12\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        s += "<text x=\"\(w / 2)\" y=\"22\" text-anchor=\"middle\" font-size=\"14\">\(Self.escape(title))</text>\n"
        for i in 0...5 {
            let x = maxX * Double(i) / 5, y = maxY * Double(i) / 5
            s += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", px(x), py(0), px(x), py(maxY))
            s += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", px(0), py(y), px(maxX), py(y))
            s += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%.0f%%</text>\n", px(x), h - bottom + 18, x * 100)
            s += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.1f%%</text>\n", left - 6, py(y) + 4, y * 100)
        }
        s += "<text x=\"\(w / 2)\" y=\"\(h - 10)\" text-anchor=\"middle\">probes discarded (highest OOD score first)</text>\n"
        s += "<text x=\"16\" y=\"\(h / 2)\" text-anchor=\"middle\" transform=\"rotate(-90 16 \(h / 2))\">identification error</text>\n"
        let path = points.map { String(format: "%.1f,%.1f", px($0.discarded), py($0.error)) }.joined(separator: " ")
        s += "<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\" points=\"\(path)\"/>\n"
        if let op = operatingPoint {
            s += String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"#d62728\"/>\n", px(op.discarded), py(op.error))
            s += String(format: "<text x=\"%.1f\" y=\"%.1f\">gate threshold</text>\n", px(op.discarded) + 8, py(op.error) - 8)
        }
        s += "</svg>\n"
        return s
    }

    static func escape(_ t: String) -> String {
        t.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
