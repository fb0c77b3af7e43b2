/// The error of the CNN engine's domain: graph building, model loading and inference.
///
/// `code` is stable (logs, metrics and gRPC status mapping key on it); `message` is for humans
/// and names the file, node and operator involved where there is one.
public struct EngineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable machine-readable kind of failure.
    public enum Code: String, Sendable, Equatable {
        /// The model file could not be read (missing, unreadable).
        case fileUnreadable = "FILE_UNREADABLE"
        /// The model bytes are not a valid model (truncated, corrupt, wrong format).
        case malformedModel = "MALFORMED_MODEL"
        /// The model uses an operator or attribute the engine does not implement.
        case unsupportedOperator = "UNSUPPORTED_OPERATOR"
        /// Shapes or weight sizes are inconsistent or absurd.
        case invalidShape = "INVALID_SHAPE"
        /// The caller passed an input that does not match the model.
        case invalidInput = "INVALID_INPUT"
        /// The CPU lacks an instruction set the engine was asked to require.
        case unsupportedCPU = "UNSUPPORTED_CPU"
    }

    /// Stable kind of failure.
    public let code: Code
    /// Human-readable explanation.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `CODE: message`.
    public var description: String { "\(code.rawValue): \(message)" }
}
