/// dlib's `drectangle` (inclusive corners in double).
struct DRect {
    var l: Double, t: Double, r: Double, b: Double

    init(_ l: Double, _ t: Double, _ r: Double, _ b: Double) {
        self.l = l; self.t = t; self.r = r; self.b = b
    }

    init(_ rect: (Double, Double, Double, Double)) {
        self.init(rect.0, rect.1, rect.2, rect.3)
    }

    static let empty = DRect(0, 0, -1, -1)
    var isEmpty: Bool { t > b || l > r }
    var width: Double { isEmpty ? 0 : r - l + 1 }
    var height: Double { isEmpty ? 0 : b - t + 1 }
    var area: Double { width * height }
    var centre: (Double, Double) { ((l + r) / 2, (t + b) / 2) }
    var corners: [(Double, Double)] { [(l, t), (r, t), (l, b), (r, b)] }

    /// `pyramid_down<2>::rect_down`: each corner p -> p/2 - (1.25, 0.75).
    func down() -> DRect { DRect(l / 2 - 1.25, t / 2 - 0.75, r / 2 - 1.25, b / 2 - 0.75) }

    func union(_ p: (Double, Double)) -> DRect {
        isEmpty ? DRect(p.0, p.1, p.0, p.1) : DRect(min(l, p.0), min(t, p.1), max(r, p.0), max(b, p.1))
    }

    func grown(by n: Double) -> DRect { DRect(l - n, t - n, r + n, b + n) }
    func intersect(_ o: DRect) -> DRect { DRect(max(l, o.l), max(t, o.t), min(r, o.r), min(b, o.b)) }
    func translated(_ dx: Int, _ dy: Int) -> DRect { DRect(l + Double(dx), t + Double(dy), r + Double(dx), b + Double(dy)) }

    /// dlib's conversion to `rectangle`: floor(v + 0.5) per corner.
    func rounded() -> IRect {
        IRect(l: Int((l + 0.5).rounded(.down)), t: Int((t + 0.5).rounded(.down)),
              r: Int((r + 0.5).rounded(.down)), b: Int((b + 0.5).rounded(.down)))
    }
}

/// dlib's integer `rectangle`.
struct IRect {
    var l: Int, t: Int, r: Int, b: Int
    var isEmpty: Bool { t > b || l > r }
}
