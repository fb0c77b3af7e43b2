/// The OOD gate the service calls once per batch: cue limits, an optional learned scorer, and
/// a policy, turned into one `GateVerdict` per face.
///
/// Without a scorer (fresh install) the OOD score is `CueThresholds.score` and the threshold
/// 0.5. With a scorer a face is OOD when its learned score reaches the scorer's threshold
/// (reason `outOfDistribution` unless a cue limit names a better one) or a cue limit is
/// violated. Value type, immutable, safe to share across tasks.
public struct Gate: Sendable, Equatable {
    /// Hard cue limits (always applied).
    public var limits: CueThresholds
    /// The learned scorer, nil for the default gate.
    public var scorer: GateScorer?
    /// What to do with OOD faces.
    public var policy: GatePolicy

    /// Creates a gate.
    public init(limits: CueThresholds = CueThresholds(), scorer: GateScorer? = nil, policy: GatePolicy = .exclude) {
        self.limits = limits
        self.scorer = scorer
        self.policy = policy
    }

    /// The gate of a fresh install with the default (dlib) model: `CueThresholds.dlibChip`
    /// only, policy `exclude`.
    public static let `default` = Gate(limits: .dlibChip)

    /// The fresh-install gate for 112x112 ArcFace-template models: `CueThresholds.arcFace112`.
    public static let defaultArcFace112 = Gate(limits: .arcFace112)

    /// The operating threshold on the OOD score.
    public var threshold: Float { scorer?.threshold ?? 0.5 }

    /// Verdicts for a batch of faces.
    ///
    /// - Parameters:
    ///   - embeddings: row-major `cues.count x d` L2-normalised embeddings (ignored without a scorer).
    ///   - cues: the faces' quality cues.
    /// - Throws: `dimensionMismatch` when a scorer is present and the embedding sizes disagree.
    public func evaluate(embeddings: [Float], cues: [QualityCues]) throws(GateError) -> [GateVerdict] {
        let learned = try scorer?.scores(embeddings: embeddings, cues: cues)
        return cues.enumerated().map { i, c in
            var reasons = limits.violations(c)
            let score: Float
            if let learned {
                score = learned[i]
                if score >= threshold, reasons.isEmpty { reasons = [.outOfDistribution] }
            } else {
                score = limits.score(c)
            }
            let ood = !reasons.isEmpty
            return GateVerdict(accepted: !(ood && policy == .exclude), isOutOfDistribution: ood,
                               oodScore: score, threshold: threshold, reasons: reasons, cues: c)
        }
    }
}
