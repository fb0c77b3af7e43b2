/// The outcome of an RPC: a code, a human message and trailing metadata.
///
/// Handlers throw `RPCError` to end a call with a non-OK status; the transport turns it into the
/// `grpc-status` / `grpc-message` trailers (the message is percent-encoded on the wire).
public struct RPCError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The status code sent to the client.
    public var code: StatusCode
    /// A human-readable message (any Unicode; percent-encoded by the transport).
    public var message: String
    /// Extra trailing metadata sent with the status.
    public var trailingMetadata: Metadata

    /// Creates an error with a code, message and optional trailing metadata.
    public init(_ code: StatusCode, _ message: String = "", trailingMetadata: Metadata = Metadata()) {
        self.code = code
        self.message = message
        self.trailingMetadata = trailingMetadata
    }

    /// `CODE: message`.
    public var description: String { message.isEmpty ? code.name : "\(code.name): \(message)" }
}
