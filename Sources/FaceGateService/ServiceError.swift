import Embedding
import FaceGateAPI
import GRPCProtocol
import GalleryIndex
import OODGate

/// The service domain's error: every lower-level error becomes one of these, and these become
/// gRPC statuses in exactly one place (`rpcError`).
public struct ServiceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// gRPC-level meaning of the failure.
    public var code: StatusCode
    /// Human-readable explanation, safe to show a client.
    public var message: String

    /// Creates an error.
    public init(_ code: StatusCode, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.name): \(message)" }

    /// The status sent to the client.
    public var rpcError: RPCError { RPCError(code, message) }

    /// The per-face error of a stream answer.
    public var faceError: FaceErrorMessage { FaceErrorMessage(code: UInt32(code.rawValue), message: message) }

    /// Maps any error raised while serving a call.
    public init(_ error: any Error) {
        switch error {
        case let e as ServiceError:
            self = e
        case let e as FaceGateAPIError:
            self.init(.invalidArgument, e.message)
        case let e as ImageError:
            self.init(e.code == .tooLarge ? .resourceExhausted : .invalidArgument, "image: \(e.message)")
        case let e as GalleryError:
            self.init(Self.code(for: e.code), e.message)
        case let e as FaceBatcher.Failure:
            switch e {
            case .overloaded(let queued):
                self.init(.resourceExhausted, "server overloaded: \(queued) faces already queued; retry later")
            case .deadlineExceeded: self.init(.deadlineExceeded, "the deadline passed while the face was queued")
            case .cancelled: self.init(.cancelled, "the call was cancelled")
            case .processorFailed(let message): self.init(.internal, "embedding failed: \(message)")
            case .shutDown: self.init(.unavailable, "the server is shutting down")
            }
        case let e as RPCError:
            self.init(e.code, e.message)
        case is CancellationError:
            self.init(.cancelled, "the call was cancelled")
        default:
            self.init(.internal, "\(error)")
        }
    }

    private static func code(for code: GalleryError.Code) -> StatusCode {
        switch code {
        case .notFound: .notFound
        case .invalidArgument, .dimensionMismatch, .nonFiniteVector: .invalidArgument
        case .duplicateFace: .alreadyExists
        case .modelMismatch, .foreignFile, .corrupted, .unsupportedVersion: .failedPrecondition
        case .storage: .unavailable
        }
    }
}
