/// A face box in image pixels with inclusive integer corners (dlib's `rectangle`).
public struct FaceBox: Sendable, Hashable, Codable {
    /// Left column (inclusive).
    public var left: Int
    /// Top row (inclusive).
    public var top: Int
    /// Right column (inclusive).
    public var right: Int
    /// Bottom row (inclusive).
    public var bottom: Int

    /// Creates a box; corners are inclusive, as in dlib.
    public init(left: Int, top: Int, right: Int, bottom: Int) {
        self.left = left
        self.top = top
        self.right = right
        self.bottom = bottom
    }

    /// `right - left + 1`.
    public var width: Int { right - left + 1 }
    /// `bottom - top + 1`.
    public var height: Int { bottom - top + 1 }
    /// Whether the box has no area.
    public var isEmpty: Bool { right < left || bottom < top }

    /// Largest coordinate magnitude accepted from clients (pixels).
    public static let coordinateLimit = 1 << 20

    /// Whether the box is non-empty with every coordinate within +-`coordinateLimit`.
    public var isValid: Bool {
        !isEmpty && [left, top, right, bottom].allSatisfy { abs($0) <= FaceBox.coordinateLimit }
    }
}

/// The five landmarks in the public API order, image pixel coordinates.
///
/// Order: image-left eye centre, image-right eye centre, nose tip, image-left mouth corner,
/// image-right mouth corner (the ArcFace / InsightFace order).
public struct FiveLandmarks: Sendable, Hashable {
    /// The five points in API order.
    public var points: [Point2]

    /// Wraps five points; returns nil for any other count, or coordinates that are not finite
    /// or beyond +-`FaceBox.coordinateLimit`.
    public init?(_ points: [Point2]) {
        let limit = Float(FaceBox.coordinateLimit)
        guard points.count == 5, points.allSatisfy({ $0.x.isFinite && $0.y.isFinite && abs($0.x) <= limit && abs($0.y) <= limit })
        else { return nil }
        self.points = points
    }
}
