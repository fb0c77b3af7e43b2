/// Why a face was judged out of distribution; mirrors the public API's `RejectReason`
/// (Protos/facegate/v1/facegate.proto), which the API layer maps one to one.
///
/// Raw values equal the protobuf enum numbers.
public enum RejectReason: Int, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Too little high-frequency detail (variance of the Laplacian below the threshold).
    case blurry = 1
    /// Inter-ocular distance in the source image below the threshold.
    case tooSmall = 2
    /// Mean grey level too low or too many black-clipped pixels.
    case tooDark = 3
    /// Mean grey level too high or too many white-clipped pixels.
    case tooBright = 4
    /// Grey-level standard deviation too low.
    case lowContrast = 5
    /// The landmark predictor was not confident (part of the face hidden).
    case occluded = 6
    /// Roll or yaw beyond the thresholds.
    case pose = 7
    /// The learned scorer judged the face out of distribution and no single cue explains it.
    case outOfDistribution = 8
    /// No face was found.
    case noFace = 9

    /// The public API's name without prefix, e.g. `BLURRY`.
    public var description: String {
        switch self {
        case .blurry: "BLURRY"
        case .tooSmall: "TOO_SMALL"
        case .tooDark: "TOO_DARK"
        case .tooBright: "TOO_BRIGHT"
        case .lowContrast: "LOW_CONTRAST"
        case .occluded: "OCCLUDED"
        case .pose: "POSE"
        case .outOfDistribution: "OUT_OF_DISTRIBUTION"
        case .noFace: "NO_FACE"
        }
    }
}
