/// Everything that can go wrong in the OOD gate: reading or writing gate and feature files,
/// mismatched shapes, training without usable data.
///
/// `code` is stable (logs, metrics, the service's status mapping); `message` is for humans and
/// names the file and byte offset where a file is involved.
public struct GateError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable machine-readable error codes.
    public enum Code: String, Sendable, Equatable {
        /// A file could not be opened, read or written.
        case io = "gate.io"
        /// A file is not in the expected format (wrong tag, truncated, bad value, bad checksum).
        case malformedFile = "gate.malformed_file"
        /// A file was written by a newer (unknown) format version.
        case unsupportedVersion = "gate.unsupported_version"
        /// The gate was trained for a different embedding model.
        case modelMismatch = "gate.model_mismatch"
        /// Inputs do not have the dimensions the gate expects.
        case dimensionMismatch = "gate.dimension_mismatch"
        /// Training or evaluation cannot proceed with the data given.
        case insufficientData = "gate.insufficient_data"
    }

    /// Stable code.
    public let code: Code
    /// Human-readable explanation.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`.
    public var description: String { "\(code.rawValue): \(message)" }
}
