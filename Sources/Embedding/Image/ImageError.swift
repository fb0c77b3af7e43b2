/// Errors of image decoding and pixel handling (one type for the whole image domain).
public struct ImageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable machine-readable codes.
    public enum Code: String, Sendable, Equatable {
        /// No bytes at all.
        case empty = "IMAGE_EMPTY"
        /// The bytes are neither JPEG nor PNG.
        case unknownFormat = "IMAGE_UNKNOWN_FORMAT"
        /// The codec rejected the data (truncated, corrupt, hostile).
        case corrupt = "IMAGE_CORRUPT"
        /// A valid file in a colour model or layout we do not handle.
        case unsupported = "IMAGE_UNSUPPORTED"
        /// Width x height above the configured pixel limit (checked from the header).
        case tooLarge = "IMAGE_TOO_LARGE"
        /// Raw pixels whose size, stride or geometry do not add up.
        case invalidGeometry = "IMAGE_INVALID_GEOMETRY"
        /// The decoder could not allocate the pixel buffer.
        case outOfMemory = "IMAGE_OUT_OF_MEMORY"
    }

    /// The stable code.
    public var code: Code
    /// A human message (includes the codec's own message where there is one).
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `CODE: message`.
    public var description: String { "\(code.rawValue): \(message)" }
}
