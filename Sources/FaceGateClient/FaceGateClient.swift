import FaceGateAPI
import GRPCHTTP2Client
import GRPCProtocol

/// Typed calls of `facegate.v1.FaceGate` (and `grpc.health.v1.Health`) over a `GRPCClient`.
///
/// Every call throws `RPCError`: the server's status, or INTERNAL when a response is not a
/// valid message of the schema. Thread-safe; share one value across tasks.
public struct FaceGateClient: Sendable {
    /// The underlying connection.
    public let transport: GRPCClient
    /// Deadline applied to calls that pass none (nil: no deadline).
    public var defaultTimeout: Duration?

    /// Wraps a client (connected or not yet).
    public init(transport: GRPCClient, defaultTimeout: Duration? = nil) {
        self.transport = transport
        self.defaultTimeout = defaultTimeout
    }

    /// Creates a client and connects it.
    /// - Throws: `ClientTransportError` when the connection cannot be opened.
    public static func connect(host: String, port: Int, config: GRPCClient.Config = .init(),
                               defaultTimeout: Duration? = nil) async throws -> FaceGateClient {
        let transport = GRPCClient(config: config)
        do {
            try await transport.connect(host: host, port: port)
        } catch {
            await transport.close()
            throw error
        }
        return FaceGateClient(transport: transport, defaultTimeout: defaultTimeout)
    }

    /// Closes the connection.
    public func close() async { await transport.close() }

    // MARK: Unary

    /// `EmbedOne`: one face in, its embedding and gate verdict out.
    public func embedOne(_ request: EmbedRequest, timeout: Duration? = nil) async throws -> EmbedResponse {
        try await unary(.embedOne, request, timeout: timeout)
    }

    /// `ClassifyOne`: one face in, its identification out.
    public func classifyOne(_ request: ClassifyRequest, timeout: Duration? = nil) async throws -> ClassifyResponse {
        try await unary(.classifyOne, request, timeout: timeout)
    }

    /// `ListIdentities`: one page of enrolled identities.
    public func listIdentities(_ request: ListIdentitiesRequest = .init(), timeout: Duration? = nil) async throws
        -> ListIdentitiesResponse {
        try await unary(.listIdentities, request, timeout: timeout)
    }

    /// `GetIdentity`: an identity and its faces (NOT_FOUND when unknown).
    public func getIdentity(_ identityID: String, timeout: Duration? = nil) async throws -> GetIdentityResponse {
        try await unary(.getIdentity, GetIdentityRequest(identityID: identityID), timeout: timeout)
    }

    /// `DeleteIdentity`: erases an identity and its embeddings.
    public func deleteIdentity(_ identityID: String, timeout: Duration? = nil) async throws -> DeleteIdentityResponse {
        try await unary(.deleteIdentity, DeleteIdentityRequest(identityID: identityID), timeout: timeout)
    }

    /// `DeleteFace`: erases one enrolled face.
    public func deleteFace(_ faceID: String, timeout: Duration? = nil) async throws -> DeleteFaceResponse {
        try await unary(.deleteFace, DeleteFaceRequest(faceID: faceID), timeout: timeout)
    }

    /// `GetGalleryStats`: gallery size, model and index facts.
    public func galleryStats(timeout: Duration? = nil) async throws -> GalleryStatsMessage {
        try await unary(.getGalleryStats, GetGalleryStatsRequest(), timeout: timeout)
    }

    // MARK: Streams

    /// `Embed`: a bidirectional stream of faces and embeddings.
    public func embed(timeout: Duration? = nil) throws -> BidiStream<EmbedRequest, EmbedResponse> {
        BidiStream(call: try transport.bidirectionalStreaming(FaceGateMethod.embed.rawValue, timeout: timeout ?? defaultTimeout))
    }

    /// `Classify`: a bidirectional stream of faces and identifications (in request order or
    /// tagged by `request_id`).
    public func classify(timeout: Duration? = nil) throws -> BidiStream<ClassifyRequest, ClassifyResponse> {
        BidiStream(call: try transport.bidirectionalStreaming(FaceGateMethod.classify.rawValue, timeout: timeout ?? defaultTimeout))
    }

    /// `Enroll`: send `.start` first, then `.face` messages; verdicts stream back, the summary
    /// comes after `finish()`.
    public func enroll(timeout: Duration? = nil) throws -> BidiStream<EnrollRequest, EnrollResponse> {
        BidiStream(call: try transport.bidirectionalStreaming(FaceGateMethod.enroll.rawValue, timeout: timeout ?? defaultTimeout))
    }

    private func unary<Request: ProtoCMessage, Response: ProtoCMessage>(
        _ method: FaceGateMethod, _ request: Request, timeout: Duration?
    ) async throws -> Response {
        let bytes = try await transport.unary(method.rawValue, request: request.serialized(),
                                              timeout: timeout ?? defaultTimeout)
        return try Response.decodeResponse(bytes)
    }
}

extension ProtoCMessage {
    /// Decodes a response, mapping schema errors to INTERNAL (the server broke the contract).
    static func decodeResponse(_ bytes: [UInt8]) throws(RPCError) -> Self {
        do {
            return try Self(serialized: bytes)
        } catch {
            throw RPCError(.internal, "malformed \(Self.self) from server: \(error.message)")
        }
    }
}
