import Foundation

/// The seed's confusion table for OOD detection: OOD is the positive class.
public struct ConfusionTable: Sendable, Equatable {
    /// OOD faces rejected.
    public var truePositives = 0
    /// In-distribution faces rejected.
    public var falsePositives = 0
    /// In-distribution faces accepted.
    public var trueNegatives = 0
    /// OOD faces accepted.
    public var falseNegatives = 0

    /// An empty table.
    public init() {}

    /// Counts `predicted` (true = rejected as OOD) against `actual` (true = OOD).
    public init(predicted: [Bool], actual: [Bool]) {
        for (p, a) in zip(predicted, actual) { add(predicted: p, actual: a) }
    }

    /// Adds one face.
    public mutating func add(predicted: Bool, actual: Bool) {
        switch (predicted, actual) {
        case (true, true): truePositives += 1
        case (true, false): falsePositives += 1
        case (false, false): trueNegatives += 1
        case (false, true): falseNegatives += 1
        }
    }

    /// OOD faces counted.
    public var positives: Int { truePositives + falseNegatives }
    /// In-distribution faces counted.
    public var negatives: Int { trueNegatives + falsePositives }

    /// Fraction of OOD faces rejected (NaN without OOD faces).
    public var tpr: Double { Double(truePositives) / Double(positives) }
    /// Fraction of in-distribution faces accepted.
    public var tnr: Double { Double(trueNegatives) / Double(negatives) }
    /// Fraction of in-distribution faces rejected.
    public var fpr: Double { Double(falsePositives) / Double(negatives) }
    /// Fraction of OOD faces accepted.
    public var fnr: Double { Double(falseNegatives) / Double(positives) }

    /// One line: counts and rates in percent.
    public var summary: String {
        func pct(_ v: Double) -> String { v.isNaN ? "-" : String(format: "%.1f%%", v * 100) }
        return "OOD \(positives), ID \(negatives): TPR \(pct(tpr)) TNR \(pct(tnr)) FPR \(pct(fpr)) FNR \(pct(fnr))"
    }
}
