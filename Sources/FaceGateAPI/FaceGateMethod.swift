/// The methods of `facegate.v1.FaceGate`, by their gRPC paths.
public enum FaceGateMethod: String, Sendable, CaseIterable {
    case embedOne = "/facegate.v1.FaceGate/EmbedOne"
    case embed = "/facegate.v1.FaceGate/Embed"
    case classifyOne = "/facegate.v1.FaceGate/ClassifyOne"
    case classify = "/facegate.v1.FaceGate/Classify"
    case enroll = "/facegate.v1.FaceGate/Enroll"
    case listIdentities = "/facegate.v1.FaceGate/ListIdentities"
    case getIdentity = "/facegate.v1.FaceGate/GetIdentity"
    case deleteIdentity = "/facegate.v1.FaceGate/DeleteIdentity"
    case deleteFace = "/facegate.v1.FaceGate/DeleteFace"
    case getGalleryStats = "/facegate.v1.FaceGate/GetGalleryStats"

    /// The fully qualified service name.
    public static let serviceName = "facegate.v1.FaceGate"

    /// Whether the client sends a stream of messages.
    public var clientStreams: Bool {
        switch self {
        case .embed, .classify, .enroll: true
        default: false
        }
    }

    /// Whether the server answers with a stream of messages.
    public var serverStreams: Bool { clientStreams }
}
