/// A gRPC status code, as carried in the `grpc-status` trailer.
///
/// Values and names follow gRPC's `doc/statuscodes.md`; unknown numbers decode to `.unknown`.
public enum StatusCode: Int, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Not an error; returned on success.
    case ok = 0
    /// The operation was cancelled, typically by the caller.
    case cancelled = 1
    /// Unknown error.
    case unknown = 2
    /// The client specified an invalid argument.
    case invalidArgument = 3
    /// The deadline expired before the operation could complete.
    case deadlineExceeded = 4
    /// Some requested entity was not found.
    case notFound = 5
    /// The entity a client attempted to create already exists.
    case alreadyExists = 6
    /// The caller does not have permission.
    case permissionDenied = 7
    /// Some resource has been exhausted (e.g. a message over the size limit).
    case resourceExhausted = 8
    /// The system is not in a state required for the operation.
    case failedPrecondition = 9
    /// The operation was aborted.
    case aborted = 10
    /// The operation was attempted past the valid range.
    case outOfRange = 11
    /// The operation is not implemented or not supported.
    case unimplemented = 12
    /// Internal error.
    case `internal` = 13
    /// The service is currently unavailable.
    case unavailable = 14
    /// Unrecoverable data loss or corruption.
    case dataLoss = 15
    /// The request does not have valid authentication credentials.
    case unauthenticated = 16

    /// Decodes a `grpc-status` number; numbers outside 0...16 become `.unknown`.
    public init(wireValue: Int) {
        self = StatusCode(rawValue: wireValue) ?? .unknown
    }

    /// The canonical upper-case name, e.g. `DEADLINE_EXCEEDED`.
    public var name: String {
        switch self {
        case .ok: "OK"
        case .cancelled: "CANCELLED"
        case .unknown: "UNKNOWN"
        case .invalidArgument: "INVALID_ARGUMENT"
        case .deadlineExceeded: "DEADLINE_EXCEEDED"
        case .notFound: "NOT_FOUND"
        case .alreadyExists: "ALREADY_EXISTS"
        case .permissionDenied: "PERMISSION_DENIED"
        case .resourceExhausted: "RESOURCE_EXHAUSTED"
        case .failedPrecondition: "FAILED_PRECONDITION"
        case .aborted: "ABORTED"
        case .outOfRange: "OUT_OF_RANGE"
        case .unimplemented: "UNIMPLEMENTED"
        case .internal: "INTERNAL"
        case .unavailable: "UNAVAILABLE"
        case .dataLoss: "DATA_LOSS"
        case .unauthenticated: "UNAUTHENTICATED"
        }
    }

    /// The decimal text sent in `grpc-status`.
    public var wireText: String { String(rawValue) }

    /// Same as `name`.
    public var description: String { name }
}
