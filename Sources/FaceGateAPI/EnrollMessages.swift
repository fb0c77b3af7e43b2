import CFaceGateProto

/// A key/value pair attached to an identity.
public struct MetadataEntryMessage: Sendable, Equatable, ProtoCMessage {
    /// The key (UTF-8, at most `APILimits.maxNameBytes`).
    public var key: String
    /// The value (UTF-8, at most `APILimits.maxNameBytes`).
    public var value: String

    /// Creates an entry.
    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }

    public static let cInit = facegate__v1__metadata_entry__init

    public init(c: Facegate__V1__MetadataEntry) throws(FaceGateAPIError) {
        self.init(
            key: try ProtoRead.string(c.key, field: "metadata.key", maxBytes: APILimits.maxNameBytes),
            value: try ProtoRead.string(c.value, field: "metadata.value", maxBytes: APILimits.maxNameBytes))
    }

    public func fill(_ c: inout Facegate__V1__MetadataEntry, arena: ProtoArena) {
        c.key = arena.string(key)
        c.value = arena.string(value)
    }
}

/// Reads a bounded metadata list.
func readMetadata(
    _ count: Int, _ array: UnsafeMutablePointer<UnsafeMutablePointer<Facegate__V1__MetadataEntry>?>?
) throws(FaceGateAPIError) -> [MetadataEntryMessage] {
    guard count <= APILimits.maxMetadataEntries else {
        throw FaceGateAPIError(.invalidArgument, "metadata has \(count) entries; the limit is \(APILimits.maxMetadataEntries)")
    }
    return try ProtoRead.repeated(count, array, as: MetadataEntryMessage.self)
}

/// `facegate.v1.EnrollStart`: the first message of an enrollment stream.
public struct EnrollStart: Sendable, Equatable, ProtoCMessage {
    /// An existing identity; empty to create one.
    public var identityID: String = ""
    /// Required when creating.
    public var displayName: String = ""
    /// Attached to a new identity.
    public var metadata: [MetadataEntryMessage] = []
    /// Accept faces that already match another identity (reported either way).
    public var allowCrossIdentityMatch = false

    /// An empty start message.
    public init() {}

    public static let cInit = facegate__v1__enroll_start__init

    public init(c: Facegate__V1__EnrollStart) throws(FaceGateAPIError) {
        identityID = try ProtoRead.string(c.identity_id, field: "identity_id", maxBytes: APILimits.maxNameBytes)
        displayName = try ProtoRead.string(c.display_name, field: "display_name", maxBytes: APILimits.maxNameBytes)
        metadata = try readMetadata(c.n_metadata, c.metadata)
        allowCrossIdentityMatch = c.allow_cross_identity_match != 0
    }

    public func fill(_ c: inout Facegate__V1__EnrollStart, arena: ProtoArena) {
        c.identity_id = arena.string(identityID)
        c.display_name = arena.string(displayName)
        (c.n_metadata, c.metadata) = arena.repeated(metadata)
        c.allow_cross_identity_match = allowCrossIdentityMatch ? 1 : 0
    }
}

/// `facegate.v1.EnrollFace`: one face of an enrollment stream.
public struct EnrollFace: Sendable, Equatable, ProtoCMessage {
    /// Echoed in the verdict.
    public var requestID: String
    /// The face.
    public var face: FaceInput

    /// Creates an enrollment face.
    public init(requestID: String = "", face: FaceInput) {
        self.requestID = requestID
        self.face = face
    }

    public static let cInit = facegate__v1__enroll_face__init

    public init(c: Facegate__V1__EnrollFace) throws(FaceGateAPIError) {
        self.init(requestID: try readRequestID(c.request_id), face: try requiredFace(c.face))
    }

    public func fill(_ c: inout Facegate__V1__EnrollFace, arena: ProtoArena) {
        c.request_id = arena.string(requestID)
        c.face = arena.nested(face)
    }
}

/// `facegate.v1.EnrollRequest`: start, or one face.
public enum EnrollRequest: Sendable, Equatable, ProtoCMessage {
    case start(EnrollStart)
    case face(EnrollFace)

    public static let cInit = facegate__v1__enroll_request__init

    public init(c: Facegate__V1__EnrollRequest) throws(FaceGateAPIError) {
        switch c.kind_case {
        case FACEGATE__V1__ENROLL_REQUEST__KIND_START:
            guard let start = c.start else { throw FaceGateAPIError(.invalidArgument, "enroll start is empty") }
            self = .start(try EnrollStart(c: start.pointee))
        case FACEGATE__V1__ENROLL_REQUEST__KIND_FACE:
            guard let face = c.face else { throw FaceGateAPIError(.invalidArgument, "enroll face is empty") }
            self = .face(try EnrollFace(c: face.pointee))
        default:
            throw FaceGateAPIError(.invalidArgument, "an EnrollRequest must set `start` or `face`")
        }
    }

    public func fill(_ c: inout Facegate__V1__EnrollRequest, arena: ProtoArena) {
        switch self {
        case .start(let start):
            c.kind_case = FACEGATE__V1__ENROLL_REQUEST__KIND_START
            c.start = arena.nested(start)
        case .face(let face):
            c.kind_case = FACEGATE__V1__ENROLL_REQUEST__KIND_FACE
            c.face = arena.nested(face)
        }
    }
}

/// `facegate.v1.Identity`.
public struct IdentityMessage: Sendable, Equatable, ProtoCMessage {
    /// Stable id.
    public var identityID: String = ""
    /// Human-readable name.
    public var displayName: String = ""
    /// Key/value pairs.
    public var metadata: [MetadataEntryMessage] = []
    /// Enrolled faces.
    public var faceCount: Int = 0
    /// Creation time, Unix milliseconds.
    public var createdUnixMs: Int64 = 0

    /// An empty identity.
    public init() {}

    public static let cInit = facegate__v1__identity__init

    public init(c: Facegate__V1__Identity) throws(FaceGateAPIError) {
        identityID = try ProtoRead.string(c.identity_id, field: "identity_id")
        displayName = try ProtoRead.string(c.display_name, field: "display_name")
        metadata = try readMetadata(c.n_metadata, c.metadata)
        faceCount = Int(c.face_count)
        createdUnixMs = c.created_unix_ms
    }

    public func fill(_ c: inout Facegate__V1__Identity, arena: ProtoArena) {
        c.identity_id = arena.string(identityID)
        c.display_name = arena.string(displayName)
        (c.n_metadata, c.metadata) = arena.repeated(metadata)
        c.face_count = UInt32(clamping: faceCount)
        c.created_unix_ms = createdUnixMs
    }
}

/// `facegate.v1.FaceVerdict`: the verdict on one enrollment face.
public struct FaceVerdictMessage: Sendable, Equatable, ProtoCMessage {
    /// The face's request id.
    public var requestID: String = ""
    /// True only after the face is durably committed.
    public var accepted = false
    /// Set when accepted.
    public var faceID: String = ""
    /// The gate's verdict.
    public var ood: OODVerdictMessage?
    /// 1 - ood score.
    public var quality: Float = 0
    /// A nearly identical face already enrolled for this identity.
    public var duplicateOfFaceID: String = ""
    /// Another identity this face already matches.
    public var matchesIdentityID: String = ""
    /// Distance to that identity.
    public var matchesDistance: Float = 0
    /// The face could not be processed.
    public var error: FaceErrorMessage?
    /// Where the time went.
    public var timing: TimingMessage?

    /// An empty verdict.
    public init() {}

    public static let cInit = facegate__v1__face_verdict__init

    public init(c: Facegate__V1__FaceVerdict) throws(FaceGateAPIError) {
        requestID = try readRequestID(c.request_id)
        accepted = c.accepted != 0
        faceID = try ProtoRead.string(c.face_id, field: "face_id")
        ood = try ProtoRead.optional(c.ood, as: OODVerdictMessage.self)
        quality = c.quality
        duplicateOfFaceID = try ProtoRead.string(c.duplicate_of_face_id, field: "duplicate_of_face_id")
        matchesIdentityID = try ProtoRead.string(c.matches_identity_id, field: "matches_identity_id")
        matchesDistance = c.matches_distance
        error = try ProtoRead.optional(c.error, as: FaceErrorMessage.self)
        timing = c.timing.map { TimingMessage(c: $0.pointee) }
    }

    public func fill(_ c: inout Facegate__V1__FaceVerdict, arena: ProtoArena) {
        c.request_id = arena.string(requestID)
        c.accepted = accepted ? 1 : 0
        c.face_id = arena.string(faceID)
        if let ood { c.ood = arena.nested(ood) }
        c.quality = quality
        c.duplicate_of_face_id = arena.string(duplicateOfFaceID)
        c.matches_identity_id = arena.string(matchesIdentityID)
        c.matches_distance = matchesDistance
        if let error { c.error = arena.nested(error) }
        if let timing { c.timing = arena.nested(timing) }
    }
}

/// How many faces were rejected for one reason.
public struct RejectCountMessage: Sendable, Equatable, ProtoCMessage {
    /// The reason.
    public var reason: RejectReason
    /// Faces rejected for it.
    public var count: Int

    /// Creates a count.
    public init(reason: RejectReason, count: Int) {
        self.reason = reason
        self.count = count
    }

    public static let cInit = facegate__v1__reject_count__init

    public init(c: Facegate__V1__RejectCount) throws(FaceGateAPIError) {
        self.init(reason: try RejectReason(c: c.reason), count: Int(c.count))
    }

    public func fill(_ c: inout Facegate__V1__RejectCount, arena: ProtoArena) {
        c.reason = reason.c
        c.count = UInt32(clamping: count)
    }
}

/// `facegate.v1.EnrollSummary`: the last message of an enrollment stream.
public struct EnrollSummaryMessage: Sendable, Equatable, ProtoCMessage {
    /// The identity after the stream.
    public var identity: IdentityMessage?
    /// Faces received.
    public var facesReceived = 0
    /// Faces committed.
    public var facesAccepted = 0
    /// Faces rejected.
    public var facesRejected = 0
    /// Rejections by reason.
    public var rejects: [RejectCountMessage] = []
    /// Accepted faces recommended for reliable open-set answers.
    public var recommendedFaceCount = 0
    /// Human-readable advice; empty when nothing to say.
    public var advice = ""

    /// An empty summary.
    public init() {}

    public static let cInit = facegate__v1__enroll_summary__init

    public init(c: Facegate__V1__EnrollSummary) throws(FaceGateAPIError) {
        identity = try ProtoRead.optional(c.identity, as: IdentityMessage.self)
        facesReceived = Int(c.faces_received)
        facesAccepted = Int(c.faces_accepted)
        facesRejected = Int(c.faces_rejected)
        rejects = try ProtoRead.repeated(c.n_rejects, c.rejects, as: RejectCountMessage.self)
        recommendedFaceCount = Int(c.recommended_face_count)
        advice = try ProtoRead.string(c.advice, field: "advice")
    }

    public func fill(_ c: inout Facegate__V1__EnrollSummary, arena: ProtoArena) {
        if let identity { c.identity = arena.nested(identity) }
        c.faces_received = UInt32(clamping: facesReceived)
        c.faces_accepted = UInt32(clamping: facesAccepted)
        c.faces_rejected = UInt32(clamping: facesRejected)
        (c.n_rejects, c.rejects) = arena.repeated(rejects)
        c.recommended_face_count = UInt32(clamping: recommendedFaceCount)
        c.advice = arena.string(advice)
    }
}

/// `facegate.v1.EnrollResponse`: started, a verdict, or the summary.
public enum EnrollResponse: Sendable, Equatable, ProtoCMessage {
    case started(identity: IdentityMessage, created: Bool)
    case verdict(FaceVerdictMessage)
    case summary(EnrollSummaryMessage)

    public static let cInit = facegate__v1__enroll_response__init

    public init(c: Facegate__V1__EnrollResponse) throws(FaceGateAPIError) {
        switch c.kind_case {
        case FACEGATE__V1__ENROLL_RESPONSE__KIND_STARTED:
            guard let started = c.started?.pointee else { throw FaceGateAPIError(.malformed, "empty started") }
            let identity = try ProtoRead.optional(started.identity, as: IdentityMessage.self) ?? IdentityMessage()
            self = .started(identity: identity, created: started.created != 0)
        case FACEGATE__V1__ENROLL_RESPONSE__KIND_VERDICT:
            guard let verdict = c.verdict else { throw FaceGateAPIError(.malformed, "empty verdict") }
            self = .verdict(try FaceVerdictMessage(c: verdict.pointee))
        case FACEGATE__V1__ENROLL_RESPONSE__KIND_SUMMARY:
            guard let summary = c.summary else { throw FaceGateAPIError(.malformed, "empty summary") }
            self = .summary(try EnrollSummaryMessage(c: summary.pointee))
        default:
            throw FaceGateAPIError(.malformed, "an EnrollResponse must set started, verdict or summary")
        }
    }

    public func fill(_ c: inout Facegate__V1__EnrollResponse, arena: ProtoArena) {
        switch self {
        case .started(let identity, let created):
            c.kind_case = FACEGATE__V1__ENROLL_RESPONSE__KIND_STARTED
            let started = arena.allocate(Facegate__V1__EnrollStarted.self, count: 1)
            facegate__v1__enroll_started__init(started)
            started.pointee.identity = arena.nested(identity)
            started.pointee.created = created ? 1 : 0
            c.started = started
        case .verdict(let verdict):
            c.kind_case = FACEGATE__V1__ENROLL_RESPONSE__KIND_VERDICT
            c.verdict = arena.nested(verdict)
        case .summary(let summary):
            c.kind_case = FACEGATE__V1__ENROLL_RESPONSE__KIND_SUMMARY
            c.summary = arena.nested(summary)
        }
    }
}
