/// The gate's judgement of one face; mirrors the public API's `OodVerdict`.
public struct GateVerdict: Sendable, Equatable {
    /// False when the policy is `exclude` and the face is out of distribution.
    public var accepted: Bool
    /// True when the score or a cue limit says out of distribution, whatever the policy.
    public var isOutOfDistribution: Bool
    /// Estimated probability that the face is OOD, 0...1; always computed.
    public var oodScore: Float
    /// The operating threshold on `oodScore`.
    public var threshold: Float
    /// Machine-readable reasons, in enum order; empty when the face is in distribution.
    public var reasons: [RejectReason]
    /// The cues the decision used (nil for `noFace`).
    public var cues: QualityCues?

    /// Creates a verdict.
    public init(accepted: Bool, isOutOfDistribution: Bool, oodScore: Float, threshold: Float,
                reasons: [RejectReason], cues: QualityCues?) {
        self.accepted = accepted
        self.isOutOfDistribution = isOutOfDistribution
        self.oodScore = oodScore
        self.threshold = threshold
        self.reasons = reasons
        self.cues = cues
    }

    /// The verdict for an image in which no face was found (score 1).
    public static func noFace(policy: GatePolicy, threshold: Float) -> GateVerdict {
        GateVerdict(accepted: policy != .exclude, isOutOfDistribution: true, oodScore: 1,
                    threshold: threshold, reasons: [.noFace], cues: nil)
    }
}
