/// The identity of an embedding model: a name plus the sha256 of its weights file.
///
/// Recorded with every embedding so that galleries never mix models.
public struct ModelIdentity: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Model name (e.g. `dlib_resnet_v1`).
    public var name: String
    /// Lower-case hex sha256 of the model file.
    public var sha256: String

    /// Creates an identity.
    public init(name: String, sha256: String) {
        self.name = name
        self.sha256 = sha256
    }

    /// `name@sha256:<first 16 hex digits>`.
    public var description: String { "\(name)@sha256:\(sha256.prefix(16))" }
}
