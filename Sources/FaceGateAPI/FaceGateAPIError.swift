/// An error decoding or validating a message of the public schema.
///
/// The service maps `code` to a gRPC status in one place; `message` is for humans.
public struct FaceGateAPIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable error codes.
    public enum Code: String, Sendable {
        /// The bytes are not a protobuf message of the expected type.
        case malformed
        /// A field's value is not acceptable (bad UTF-8, too long, wrong count, unknown enum).
        case invalidArgument
    }

    /// What went wrong, stable.
    public let code: Code
    /// A human-readable explanation naming the field.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
