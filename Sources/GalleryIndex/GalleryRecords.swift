/// An enrolled identity as stored.
public struct IdentityRecord: Sendable, Equatable {
    /// Store-assigned id (never reused).
    public var id: IdentityID
    /// Display name given at creation.
    public var displayName: String
    /// Free-form string metadata.
    public var metadata: [String: String]
    /// Creation time, microseconds since the Unix epoch.
    public var createdMicros: Int64
    /// Number of faces currently stored for it.
    public var faceCount: Int
}

/// One stored face embedding.
public struct FaceRecord: Sendable, Equatable {
    /// Store-assigned id (never reused).
    public var id: FaceID
    /// Owning identity.
    public var identity: IdentityID
    /// The embedding (`dimension` floats).
    public var embedding: [Float]
    /// Model that produced the embedding.
    public var modelID: String
    /// Quality score from the gate, if any.
    public var quality: Float?
    /// Creation time, microseconds since the Unix epoch.
    public var createdMicros: Int64
}

/// A face to enrol: embedding plus optional quality.
public struct NewFace: Sendable, Equatable {
    /// The embedding (`dimension` floats, finite).
    public var embedding: [Float]
    /// Quality score from the gate, if any.
    public var quality: Float?

    /// Creates a face to enrol.
    public init(embedding: [Float], quality: Float? = nil) {
        self.embedding = embedding
        self.quality = quality
    }
}

/// One page of a listing and the token for the next one.
public struct Page<Item: Sendable>: Sendable {
    /// Items of this page, in ascending id order.
    public var items: [Item]
    /// Opaque token for the next page; nil on the last page.
    public var nextPageToken: String?
}

/// Summary figures of a store.
public struct GalleryStats: Sendable, Equatable {
    /// Identities stored.
    public var identities: Int
    /// Faces stored.
    public var faces: Int
    /// Model id the store belongs to.
    public var modelID: String
    /// Embedding dimension.
    public var dimension: Int
    /// Schema version of the file.
    public var schemaVersion: Int
    /// Database size in bytes (pages x page size, excluding the WAL).
    public var fileBytes: Int
}
