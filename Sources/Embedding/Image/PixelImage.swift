/// An 8-bit image in memory: interleaved channels, row-major, top row first, no row padding.
///
/// The common currency of the image pipeline: decoders produce it, alignment samples from it,
/// and the OOD gate measures quality cues on it. Value type; copies share storage until written.
public struct PixelImage: Sendable, Equatable {
    /// Channel layout of `pixels`.
    public enum Format: Sendable, Equatable {
        /// One byte per pixel.
        case gray
        /// Three bytes per pixel, R G B.
        case rgb

        /// Bytes per pixel.
        public var channels: Int {
            switch self {
            case .gray: 1
            case .rgb: 3
            }
        }
    }

    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// Channel layout.
    public let format: Format
    /// `width * height * format.channels` bytes.
    public var pixels: [UInt8]

    /// Wraps existing pixels; returns nil when the byte count does not match the geometry.
    public init?(width: Int, height: Int, format: Format, pixels: [UInt8]) {
        guard width > 0, height > 0, pixels.count == width * height * format.channels else { return nil }
        self.width = width
        self.height = height
        self.format = format
        self.pixels = pixels
    }

    /// A black image of the given size.
    public init(width: Int, height: Int, format: Format) {
        precondition(width > 0 && height > 0, "image size must be positive")
        self.width = width
        self.height = height
        self.format = format
        self.pixels = [UInt8](repeating: 0, count: width * height * format.channels)
    }
}

/// A point in image pixel coordinates (x to the right, y down; pixel centres at integers).
public struct Point2: Sendable, Hashable {
    /// Horizontal coordinate, pixels.
    public var x: Float
    /// Vertical coordinate, pixels.
    public var y: Float

    /// Creates a point.
    public init(x: Float, y: Float) {
        self.x = x
        self.y = y
    }
}
