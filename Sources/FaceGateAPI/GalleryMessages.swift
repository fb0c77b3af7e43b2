import CFaceGateProto

/// `facegate.v1.ListIdentitiesRequest`.
public struct ListIdentitiesRequest: Sendable, Equatable, ProtoCMessage {
    /// The largest page the server returns.
    public static let maxPageSize = 1000
    /// The page size used when the client sends 0.
    public static let defaultPageSize = 100

    /// Identities per page, 1...`maxPageSize`.
    public var pageSize: Int = ListIdentitiesRequest.defaultPageSize
    /// From a previous response; empty for the first page.
    public var pageToken: String = ""
    /// Only names starting with this.
    public var displayNamePrefix: String = ""

    /// The first page with default size.
    public init() {}

    public static let cInit = facegate__v1__list_identities_request__init

    public init(c: Facegate__V1__ListIdentitiesRequest) throws(FaceGateAPIError) {
        guard c.page_size <= ListIdentitiesRequest.maxPageSize else {
            throw FaceGateAPIError(.invalidArgument, "page_size \(c.page_size) exceeds \(ListIdentitiesRequest.maxPageSize)")
        }
        pageSize = c.page_size == 0 ? ListIdentitiesRequest.defaultPageSize : Int(c.page_size)
        pageToken = try ProtoRead.string(c.page_token, field: "page_token", maxBytes: APILimits.maxNameBytes)
        displayNamePrefix = try ProtoRead.string(
            c.display_name_prefix, field: "display_name_prefix", maxBytes: APILimits.maxNameBytes)
    }

    public func fill(_ c: inout Facegate__V1__ListIdentitiesRequest, arena: ProtoArena) {
        c.page_size = UInt32(clamping: pageSize)
        c.page_token = arena.string(pageToken)
        c.display_name_prefix = arena.string(displayNamePrefix)
    }
}

/// `facegate.v1.ListIdentitiesResponse`.
public struct ListIdentitiesResponse: Sendable, Equatable, ProtoCMessage {
    /// This page.
    public var identities: [IdentityMessage] = []
    /// Empty on the last page.
    public var nextPageToken: String = ""
    /// Identities matching the request in all pages.
    public var totalCount: Int = 0

    /// An empty page.
    public init() {}

    public static let cInit = facegate__v1__list_identities_response__init

    public init(c: Facegate__V1__ListIdentitiesResponse) throws(FaceGateAPIError) {
        identities = try ProtoRead.repeated(c.n_identities, c.identities, as: IdentityMessage.self)
        nextPageToken = try ProtoRead.string(c.next_page_token, field: "next_page_token")
        totalCount = Int(c.total_count)
    }

    public func fill(_ c: inout Facegate__V1__ListIdentitiesResponse, arena: ProtoArena) {
        (c.n_identities, c.identities) = arena.repeated(identities)
        c.next_page_token = arena.string(nextPageToken)
        c.total_count = UInt32(clamping: totalCount)
    }
}

/// Reads a required, bounded id field.
func requiredID(_ pointer: UnsafeMutablePointer<CChar>?, field: String) throws(FaceGateAPIError) -> String {
    let id = try ProtoRead.string(pointer, field: field, maxBytes: APILimits.maxNameBytes)
    guard !id.isEmpty else { throw FaceGateAPIError(.invalidArgument, "\(field) is required") }
    return id
}

/// `facegate.v1.GetIdentityRequest`.
public struct GetIdentityRequest: Sendable, Equatable, ProtoCMessage {
    /// The identity's id.
    public var identityID: String

    /// Creates a request.
    public init(identityID: String) { self.identityID = identityID }

    public static let cInit = facegate__v1__get_identity_request__init

    public init(c: Facegate__V1__GetIdentityRequest) throws(FaceGateAPIError) {
        self.init(identityID: try requiredID(c.identity_id, field: "identity_id"))
    }

    public func fill(_ c: inout Facegate__V1__GetIdentityRequest, arena: ProtoArena) {
        c.identity_id = arena.string(identityID)
    }
}

/// `facegate.v1.EnrolledFace`: one stored face (never its embedding).
public struct EnrolledFaceMessage: Sendable, Equatable, ProtoCMessage {
    /// The face's id.
    public var faceID: String
    /// Quality at enrollment, 0...1.
    public var quality: Float
    /// Enrollment time, Unix milliseconds.
    public var createdUnixMs: Int64

    /// Creates a record.
    public init(faceID: String, quality: Float, createdUnixMs: Int64) {
        self.faceID = faceID
        self.quality = quality
        self.createdUnixMs = createdUnixMs
    }

    public static let cInit = facegate__v1__enrolled_face__init

    public init(c: Facegate__V1__EnrolledFace) throws(FaceGateAPIError) {
        self.init(faceID: try ProtoRead.string(c.face_id, field: "face_id"), quality: c.quality, createdUnixMs: c.created_unix_ms)
    }

    public func fill(_ c: inout Facegate__V1__EnrolledFace, arena: ProtoArena) {
        c.face_id = arena.string(faceID)
        c.quality = quality
        c.created_unix_ms = createdUnixMs
    }
}

/// `facegate.v1.GetIdentityResponse`.
public struct GetIdentityResponse: Sendable, Equatable, ProtoCMessage {
    /// The identity.
    public var identity: IdentityMessage
    /// Its faces.
    public var faces: [EnrolledFaceMessage]

    /// Creates a response.
    public init(identity: IdentityMessage, faces: [EnrolledFaceMessage]) {
        self.identity = identity
        self.faces = faces
    }

    public static let cInit = facegate__v1__get_identity_response__init

    public init(c: Facegate__V1__GetIdentityResponse) throws(FaceGateAPIError) {
        self.init(
            identity: try ProtoRead.optional(c.identity, as: IdentityMessage.self) ?? IdentityMessage(),
            faces: try ProtoRead.repeated(c.n_faces, c.faces, as: EnrolledFaceMessage.self))
    }

    public func fill(_ c: inout Facegate__V1__GetIdentityResponse, arena: ProtoArena) {
        c.identity = arena.nested(identity)
        (c.n_faces, c.faces) = arena.repeated(faces)
    }
}

/// `facegate.v1.DeleteIdentityRequest`.
public struct DeleteIdentityRequest: Sendable, Equatable, ProtoCMessage {
    /// The identity's id.
    public var identityID: String

    /// Creates a request.
    public init(identityID: String) { self.identityID = identityID }

    public static let cInit = facegate__v1__delete_identity_request__init

    public init(c: Facegate__V1__DeleteIdentityRequest) throws(FaceGateAPIError) {
        self.init(identityID: try requiredID(c.identity_id, field: "identity_id"))
    }

    public func fill(_ c: inout Facegate__V1__DeleteIdentityRequest, arena: ProtoArena) {
        c.identity_id = arena.string(identityID)
    }
}

/// `facegate.v1.DeleteIdentityResponse`.
public struct DeleteIdentityResponse: Sendable, Equatable, ProtoCMessage {
    /// Faces whose embeddings were erased.
    public var facesDeleted: Int

    /// Creates a response.
    public init(facesDeleted: Int) { self.facesDeleted = facesDeleted }

    public static let cInit = facegate__v1__delete_identity_response__init

    public init(c: Facegate__V1__DeleteIdentityResponse) {
        self.init(facesDeleted: Int(c.faces_deleted))
    }

    public func fill(_ c: inout Facegate__V1__DeleteIdentityResponse, arena: ProtoArena) {
        c.faces_deleted = UInt32(clamping: facesDeleted)
    }
}

/// `facegate.v1.DeleteFaceRequest`.
public struct DeleteFaceRequest: Sendable, Equatable, ProtoCMessage {
    /// The face's id.
    public var faceID: String

    /// Creates a request.
    public init(faceID: String) { self.faceID = faceID }

    public static let cInit = facegate__v1__delete_face_request__init

    public init(c: Facegate__V1__DeleteFaceRequest) throws(FaceGateAPIError) {
        self.init(faceID: try requiredID(c.face_id, field: "face_id"))
    }

    public func fill(_ c: inout Facegate__V1__DeleteFaceRequest, arena: ProtoArena) {
        c.face_id = arena.string(faceID)
    }
}

/// `facegate.v1.DeleteFaceResponse`.
public struct DeleteFaceResponse: Sendable, Equatable, ProtoCMessage {
    /// The identity the face belonged to.
    public var identityID: String

    /// Creates a response.
    public init(identityID: String) { self.identityID = identityID }

    public static let cInit = facegate__v1__delete_face_response__init

    public init(c: Facegate__V1__DeleteFaceResponse) throws(FaceGateAPIError) {
        self.init(identityID: try ProtoRead.string(c.identity_id, field: "identity_id"))
    }

    public func fill(_ c: inout Facegate__V1__DeleteFaceResponse, arena: ProtoArena) {
        c.identity_id = arena.string(identityID)
    }
}

/// `facegate.v1.GetGalleryStatsRequest` (no fields).
public struct GetGalleryStatsRequest: Sendable, Equatable, ProtoCMessage {
    /// Creates a request.
    public init() {}

    public static let cInit = facegate__v1__get_gallery_stats_request__init

    public init(c: Facegate__V1__GetGalleryStatsRequest) {}

    public func fill(_ c: inout Facegate__V1__GetGalleryStatsRequest, arena: ProtoArena) {}
}

/// `facegate.v1.GalleryStats`.
public struct GalleryStatsMessage: Sendable, Equatable, ProtoCMessage {
    /// Identities in the gallery.
    public var identityCount = 0
    /// Enrolled faces.
    public var faceCount = 0
    /// The model the gallery belongs to.
    public var modelID = ""
    /// Embedding dimension.
    public var embeddingDim = 0
    /// The index in use, e.g. "sequential(exact)".
    public var indexKind = ""
    /// The operating distance threshold.
    public var threshold: Float = 0
    /// Memory held by the index, bytes.
    public var indexMemoryBytes: UInt64 = 0
    /// Size of the store file, bytes.
    public var storeBytes: UInt64 = 0

    /// Empty statistics.
    public init() {}

    public static let cInit = facegate__v1__gallery_stats__init

    public init(c: Facegate__V1__GalleryStats) throws(FaceGateAPIError) {
        identityCount = Int(c.identity_count)
        faceCount = Int(c.face_count)
        modelID = try ProtoRead.string(c.model_id, field: "model_id")
        embeddingDim = Int(c.embedding_dim)
        indexKind = try ProtoRead.string(c.index_kind, field: "index_kind")
        threshold = c.threshold
        indexMemoryBytes = c.index_memory_bytes
        storeBytes = c.store_bytes
    }

    public func fill(_ c: inout Facegate__V1__GalleryStats, arena: ProtoArena) {
        c.identity_count = UInt32(clamping: identityCount)
        c.face_count = UInt64(faceCount)
        c.model_id = arena.string(modelID)
        c.embedding_dim = UInt32(clamping: embeddingDim)
        c.index_kind = arena.string(indexKind)
        c.threshold = threshold
        c.index_memory_bytes = indexMemoryBytes
        c.store_bytes = storeBytes
    }
}
