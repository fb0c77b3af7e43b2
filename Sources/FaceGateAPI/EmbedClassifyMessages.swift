import CFaceGateProto

/// `facegate.v1.EmbedRequest`: one face to embed.
public struct EmbedRequest: Sendable, Equatable, ProtoCMessage {
    /// Echoed in the answer (at most `APILimits.maxRequestIDBytes`).
    public var requestID: String
    /// The face.
    public var face: FaceInput

    /// Creates a request.
    public init(requestID: String = "", face: FaceInput) {
        self.requestID = requestID
        self.face = face
    }

    public static let cInit = facegate__v1__embed_request__init

    public init(c: Facegate__V1__EmbedRequest) throws(FaceGateAPIError) {
        self.init(requestID: try readRequestID(c.request_id), face: try requiredFace(c.face))
    }

    public func fill(_ c: inout Facegate__V1__EmbedRequest, arena: ProtoArena) {
        c.request_id = arena.string(requestID)
        c.face = arena.nested(face)
    }
}

/// `facegate.v1.EmbedResponse`: an embedding and its gate verdict, or a per-face error.
public struct EmbedResponse: Sendable, Equatable, ProtoCMessage {
    /// The request's id.
    public var requestID: String = ""
    /// L2-normalised embedding.
    public var embedding: [Float] = []
    /// Model name and file hash.
    public var modelID: String = ""
    /// The gate's verdict.
    public var ood: OODVerdictMessage?
    /// Where the time went.
    public var timing: TimingMessage?
    /// Set instead of the fields above when the face failed.
    public var error: FaceErrorMessage?
    /// The five points used for alignment.
    public var landmarks: [APIPoint] = []

    /// An empty response.
    public init() {}

    public static let cInit = facegate__v1__embed_response__init

    public init(c: Facegate__V1__EmbedResponse) throws(FaceGateAPIError) {
        requestID = try readRequestID(c.request_id)
        embedding = ProtoRead.scalars(c.n_embedding, c.embedding)
        modelID = try ProtoRead.string(c.model_id, field: "model_id")
        ood = try ProtoRead.optional(c.ood, as: OODVerdictMessage.self)
        timing = c.timing.map { TimingMessage(c: $0.pointee) }
        error = try ProtoRead.optional(c.error, as: FaceErrorMessage.self)
        landmarks = try ProtoRead.repeated(c.n_landmarks, c.landmarks, as: APIPoint.self)
    }

    public func fill(_ c: inout Facegate__V1__EmbedResponse, arena: ProtoArena) {
        c.request_id = arena.string(requestID)
        (c.n_embedding, c.embedding) = arena.scalars(embedding)
        c.model_id = arena.string(modelID)
        if let ood { c.ood = arena.nested(ood) }
        if let timing { c.timing = arena.nested(timing) }
        if let error { c.error = arena.nested(error) }
        (c.n_landmarks, c.landmarks) = arena.repeated(landmarks)
    }
}

/// `facegate.v1.ClassifyRequest`: one face to identify.
public struct ClassifyRequest: Sendable, Equatable, ProtoCMessage {
    /// Echoed in the answer.
    public var requestID: String
    /// The face.
    public var face: FaceInput
    /// Candidates wanted; 0 means the server default.
    public var topK: Int

    /// Creates a request.
    public init(requestID: String = "", face: FaceInput, topK: Int = 0) {
        self.requestID = requestID
        self.face = face
        self.topK = topK
    }

    public static let cInit = facegate__v1__classify_request__init

    public init(c: Facegate__V1__ClassifyRequest) throws(FaceGateAPIError) {
        self.init(requestID: try readRequestID(c.request_id), face: try requiredFace(c.face), topK: Int(c.top_k))
    }

    public func fill(_ c: inout Facegate__V1__ClassifyRequest, arena: ProtoArena) {
        c.request_id = arena.string(requestID)
        c.face = arena.nested(face)
        c.top_k = UInt32(clamping: topK)
    }
}

/// One gallery candidate for a face.
public struct CandidateMessage: Sendable, Equatable, ProtoCMessage {
    /// The identity's id.
    public var identityID: String
    /// The identity's display name.
    public var displayName: String
    /// Euclidean distance to the identity's nearest enrolled face.
    public var distance: Float
    /// 0...1 similarity derived from the distance.
    public var score: Float
    /// The nearest enrolled face.
    public var faceID: String

    /// Creates a candidate.
    public init(identityID: String, displayName: String, distance: Float, score: Float, faceID: String) {
        self.identityID = identityID
        self.displayName = displayName
        self.distance = distance
        self.score = score
        self.faceID = faceID
    }

    public static let cInit = facegate__v1__candidate__init

    public init(c: Facegate__V1__Candidate) throws(FaceGateAPIError) {
        self.init(
            identityID: try ProtoRead.string(c.identity_id, field: "identity_id"),
            displayName: try ProtoRead.string(c.display_name, field: "display_name"),
            distance: c.distance, score: c.score,
            faceID: try ProtoRead.string(c.face_id, field: "face_id"))
    }

    public func fill(_ c: inout Facegate__V1__Candidate, arena: ProtoArena) {
        c.identity_id = arena.string(identityID)
        c.display_name = arena.string(displayName)
        c.distance = distance
        c.score = score
        c.face_id = arena.string(faceID)
    }
}

/// `facegate.v1.ClassifyResponse`: the decision and candidates for one face.
public struct ClassifyResponse: Sendable, Equatable, ProtoCMessage {
    /// The request's id.
    public var requestID: String = ""
    /// MATCH, UNKNOWN or REJECTED.
    public var decision: Decision = .unspecified
    /// Best first.
    public var candidates: [CandidateMessage] = []
    /// The gate's verdict.
    public var ood: OODVerdictMessage?
    /// Where the time went.
    public var timing: TimingMessage?
    /// Set instead of the fields above when the face failed.
    public var error: FaceErrorMessage?
    /// The distance threshold the decision used.
    public var threshold: Float = 0

    /// An empty response.
    public init() {}

    public static let cInit = facegate__v1__classify_response__init

    public init(c: Facegate__V1__ClassifyResponse) throws(FaceGateAPIError) {
        requestID = try readRequestID(c.request_id)
        decision = Decision(rawValue: Int(c.decision.rawValue)) ?? .unspecified
        candidates = try ProtoRead.repeated(c.n_candidates, c.candidates, as: CandidateMessage.self)
        ood = try ProtoRead.optional(c.ood, as: OODVerdictMessage.self)
        timing = c.timing.map { TimingMessage(c: $0.pointee) }
        error = try ProtoRead.optional(c.error, as: FaceErrorMessage.self)
        threshold = c.threshold
    }

    public func fill(_ c: inout Facegate__V1__ClassifyResponse, arena: ProtoArena) {
        c.request_id = arena.string(requestID)
        c.decision = Facegate__V1__Decision(rawValue: UInt32(decision.rawValue))
        (c.n_candidates, c.candidates) = arena.repeated(candidates)
        if let ood { c.ood = arena.nested(ood) }
        if let timing { c.timing = arena.nested(timing) }
        if let error { c.error = arena.nested(error) }
        c.threshold = threshold
    }
}
