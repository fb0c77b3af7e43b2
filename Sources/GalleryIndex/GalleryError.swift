/// The one error type of the gallery domain (index and store), with a stable code and a human message.
///
/// `FaceGateService` maps `code` to a gRPC status in one place; `message` is safe to show a client.
public struct GalleryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable machine-readable reason.
    public enum Code: String, Sendable, Equatable {
        /// A vector's length differs from the index or store dimension.
        case dimensionMismatch = "dimension_mismatch"
        /// A vector holds NaN or infinity.
        case nonFiniteVector = "non_finite_vector"
        /// A face id is already present in the index.
        case duplicateFace = "duplicate_face"
        /// An identity or face id does not exist.
        case notFound = "not_found"
        /// A caller-supplied argument is out of range (topK, page size, page token, FPIR...).
        case invalidArgument = "invalid_argument"
        /// The store was written for another embedding model.
        case modelMismatch = "model_mismatch"
        /// The file is not a FaceGate gallery (another application's database, or not SQLite).
        case foreignFile = "foreign_file"
        /// The file is damaged (SQLite reported corruption or a stored row is malformed).
        case corrupted = "corrupted"
        /// The store's schema version is newer than this build understands.
        case unsupportedVersion = "unsupported_version"
        /// SQLite failed for another reason (I/O, locking, full disk).
        case storage = "storage"
    }

    /// Stable machine-readable reason.
    public let code: Code
    /// Human-readable explanation naming the file, id or value involved.
    public let message: String

    /// Creates an error with a code and a message.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`.
    public var description: String { "\(code.rawValue): \(message)" }
}
