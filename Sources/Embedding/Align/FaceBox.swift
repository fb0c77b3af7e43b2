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
}

/// The five landmarks in the public API order, image pixel coordinates.
///
/// Order: image-left eye centre, image-right eye centre, nose tip, image-left mouth corner,
/// image-right mouth corner (the ArcFace / InsightFace order).
public struct FiveLandmarks: Sendable, Hashable {
    /// The five points in API order.
    public var points: [Point2]

    /// Wraps five points; returns nil for any other count or non-finite coordinates.
    public init?(_ points: [Point2]) {
        guard points.count == 5, points.allSatisfy({ $0.x.isFinite && $0.y.isFinite }) else { return nil }
        self.points = points
    }
}
