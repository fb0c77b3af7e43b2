import Foundation

/// The held-out evaluation of a gate (`facegate eval gate`): the seed's confusion tables,
/// identification accuracy with and without the rejected faces, and the discard curve.
public struct GateReport: Sendable {
    /// All held-out examples (in-distribution vs every OOD kind).
    public var overall: ConfusionTable
    /// In-distribution vs misclassification-labelled OOD originals.
    public var misclassified: ConfusionTable
    /// In-distribution vs transformed (synthetic) OOD copies.
    public var transformed: ConfusionTable
    /// TPR per degradation kind.
    public var perKind: [(kind: Degradation.Kind, table: ConfusionTable)]
    /// Identification over all held-out originals.
    public var identificationAll: IdentificationEvaluation.Outcome
    /// Identification over the held-out originals the gate accepts (gallery and probes).
    public var identificationExcluded: IdentificationEvaluation.Outcome
    /// Error versus discarded probes (probes of `identificationAll` ordered by OOD score).
    public var curve: DiscardCurve
    /// The gate's own point on the curve: fraction of probes it rejects, error of the rest.
    public var operatingPoint: DiscardCurve.Point
    /// The gate's threshold.
    public var threshold: Float
    /// Exclusion sweep, independent of the calibrated threshold: the held-out originals with
    /// the highest OOD scores (`fraction` of them) removed from gallery and probes.
    public var exclusionSweep: [ExclusionPoint]

    /// One point of `exclusionSweep`.
    public struct ExclusionPoint: Sendable, Equatable {
        /// Fraction of held-out originals excluded (highest scores first).
        public var fraction: Double
        /// Fraction of the all-images probes that are no longer probes.
        public var discardedProbes: Double
        /// Identification error over the remaining probes.
        public var error: Double
    }

    /// Fractions of held-out originals `exclusionSweep` excludes.
    public static let sweepFractions = [0.02, 0.05, 0.08, 0.10, 0.15]
    /// ROC AUC of the OOD score: misclassification-labelled vs in-distribution held-out originals.
    public var misclassifiedAUC: Double
    /// ROC AUC of the OOD score: transformed copies vs in-distribution held-out originals.
    public var transformedAUC: Double

    /// Identification error with all images.
    public var errorAll: Double { 1 - identificationAll.accuracy }
    /// Identification error with the rejected images excluded.
    public var errorExcluded: Double { 1 - identificationExcluded.accuracy }
    /// Relative cut in identification error, 0...1 (negative if it got worse).
    public var errorReduction: Double { errorAll > 0 ? 1 - errorExcluded / errorAll : 0 }
    /// Fraction of the all-images probes that are no longer probes once rejected faces are excluded.
    public var discardedProbeFraction: Double {
        1 - Double(identificationExcluded.probes) / Double(max(identificationAll.probes, 1))
    }

    /// Evaluates `gate` on the held-out part of `data`.
    public init(gate: Gate, data: LabelledFeatures) throws(GateError) {
        let d = data.set.dimensions
        let rows = data.set.records.indices.filter { data.parts[$0] == .heldOut }
        guard !rows.isEmpty else { throw GateError(.insufficientData, "no held-out identities") }
        var flat: [Float] = []
        flat.reserveCapacity(rows.count * d)
        for i in rows { flat.append(contentsOf: data.set.records[i].embedding) }
        let verdicts = try gate.evaluate(embeddings: flat, cues: rows.map { data.set.records[$0].cues })
        threshold = gate.threshold
        overall = ConfusionTable()
        misclassified = ConfusionTable()
        transformed = ConfusionTable()
        var kinds: [Degradation.Kind: ConfusionTable] = [:]
        for (k, i) in rows.enumerated() {
            let predicted = verdicts[k].isOutOfDistribution
            switch data.examples[i] {
            case .reference: continue
            case .inDistribution:
                overall.add(predicted: predicted, actual: false)
                misclassified.add(predicted: predicted, actual: false)
                transformed.add(predicted: predicted, actual: false)
                for kind in Degradation.Kind.allCases { kinds[kind, default: ConfusionTable()].add(predicted: predicted, actual: false) }
            case .misclassified:
                overall.add(predicted: predicted, actual: true)
                misclassified.add(predicted: predicted, actual: true)
            case .transformed(let kind):
                overall.add(predicted: predicted, actual: true)
                transformed.add(predicted: predicted, actual: true)
                kinds[kind, default: ConfusionTable()].add(predicted: predicted, actual: true)
            }
        }
        var idScores: [Float] = [], misScores: [Float] = [], transScores: [Float] = []
        for (k, i) in rows.enumerated() {
            switch data.examples[i] {
            case .inDistribution: idScores.append(verdicts[k].oodScore)
            case .misclassified: misScores.append(verdicts[k].oodScore)
            case .transformed: transScores.append(verdicts[k].oodScore)
            case .reference: break
            }
        }
        misclassifiedAUC = rocAUC(positives: misScores, negatives: idScores)
        transformedAUC = rocAUC(positives: transScores, negatives: idScores)
        perKind = Degradation.Kind.allCases.compactMap { k in kinds[k].flatMap { $0.positives > 0 ? (k, $0) : nil } }

        // Identification over the held-out originals.
        let originals = rows.indices.filter { data.set.records[rows[$0]].variant == nil }
        var emb: [Float] = []
        emb.reserveCapacity(originals.count * d)
        for k in originals { emb.append(contentsOf: data.set.records[rows[k]].embedding) }
        let evaluation = IdentificationEvaluation(embeddings: emb, dimensions: d,
                                                  identities: originals.map { data.identityIndex[rows[$0]] })
        identificationAll = evaluation.run()
        identificationExcluded = evaluation.run(eligible: originals.map { !verdicts[$0].isOutOfDistribution })
        let originalScores = originals.map { verdicts[$0].oodScore }
        let ranked = originalScores.indices.sorted { originalScores[$0] > originalScores[$1] || (originalScores[$0] == originalScores[$1] && $0 < $1) }
        let allProbes = identificationAll.probes
        exclusionSweep = Self.sweepFractions.map { fraction in
            var eligible = [Bool](repeating: true, count: originals.count)
            for k in ranked.prefix(Int((fraction * Double(originals.count)).rounded())) { eligible[k] = false }
            let outcome = evaluation.run(eligible: eligible)
            return ExclusionPoint(fraction: fraction,
                                  discardedProbes: 1 - Double(outcome.probes) / Double(max(allProbes, 1)),
                                  error: 1 - outcome.accuracy)
        }
        let probeScores = identificationAll.perProbe.map { verdicts[originals[$0.row]].oodScore }
        let probeCorrect = identificationAll.perProbe.map(\.correct)
        curve = DiscardCurve(correct: probeCorrect, scores: probeScores)
        let rejected = identificationAll.perProbe.map { verdicts[originals[$0.row]].isOutOfDistribution }
        let kept = zip(rejected, probeCorrect).filter { !$0.0 }
        operatingPoint = DiscardCurve.Point(
            discarded: Double(rejected.filter { $0 }.count) / Double(max(rejected.count, 1)),
            error: kept.isEmpty ? 0 : 1 - Double(kept.filter { $0.1 }.count) / Double(kept.count),
            kept: kept.count)
    }

    /// The report as plain text.
    public var text: String {
        func pct(_ v: Double) -> String { String(format: "%.1f%%", v * 100) }
        var lines: [String] = []
        lines.append("OOD detection on the held-out identities (threshold \(String(format: "%.4f", threshold))):")
        lines.append("  overall:                    \(overall.summary)")
        lines.append("  misclassification-labelled: \(misclassified.summary), AUC \(String(format: "%.3f", misclassifiedAUC))")
        lines.append("  transformed (synthetic):    \(transformed.summary), AUC \(String(format: "%.3f", transformedAUC))")
        for (kind, table) in perKind {
            lines.append("    \(kind.description.padding(toLength: 14, withPad: " ", startingAt: 0)) TPR \(pct(table.tpr)) (\(table.positives))")
        }
        lines.append("1-NN identification (first image per identity as gallery, others as probes):")
        lines.append("  all images:    \(identificationAll.correct)/\(identificationAll.probes) = \(pct(identificationAll.accuracy)), error \(pct(errorAll)), gallery \(identificationAll.gallerySize)")
        lines.append("  OOD excluded:  \(identificationExcluded.correct)/\(identificationExcluded.probes) = \(pct(identificationExcluded.accuracy)), error \(pct(errorExcluded)), gallery \(identificationExcluded.gallerySize)")
        lines.append("  error cut by \(pct(errorReduction)) while discarding \(pct(discardedProbeFraction)) of probes")
        lines.append("  gate operating point on the all-images curve: discards \(pct(operatingPoint.discarded)), error \(pct(operatingPoint.error))")
        lines.append("  excluding the highest-scoring held-out faces (gallery and probes), any threshold:")
        for p in exclusionSweep {
            let cut = errorAll > 0 ? 1 - p.error / errorAll : 0
            lines.append("    \(pct(p.fraction).padding(toLength: 6, withPad: " ", startingAt: 0)) of faces: \(pct(p.discardedProbes)) of probes discarded, error \(pct(p.error)) (cut \(pct(cut)))")
        }
        return lines.joined(separator: "\n")
    }
}

/// Area under the ROC curve: probability that a random positive scores above a random negative
/// (ties count half); NaN when either side is empty.
func rocAUC(positives: [Float], negatives: [Float]) -> Double {
    guard !positives.isEmpty, !negatives.isEmpty else { return .nan }
    let neg = negatives.sorted()
    var total = 0.0
    for p in positives {
        let below = lowerBound(neg, p)
        let notAbove = lowerBound(neg, p.nextUp)
        total += Double(below) + 0.5 * Double(notAbove - below)
    }
    return total / Double(positives.count * neg.count)
}
