/// How the operating threshold on the OOD score is chosen from labelled validation scores.
///
/// The default is `targetTNR(0.95)`: the threshold is the smallest score that still accepts at
/// least 95% of in-distribution validation faces, which maximises the OOD detection rate at
/// that acceptance rate. It is a direct statement of what enrolment users feel (how often a good
/// face is refused); a Platt-style probability is not needed because the scorer is already
/// trained with a logistic loss, only the operating point moves.
public enum ThresholdRule: Sendable, Equatable {
    /// Accept at least this fraction (0...1) of in-distribution validation faces.
    case targetTNR(Float)
    /// Maximise TPR + TNR (Youden's J) on the validation faces.
    case balanced

    /// The threshold for `scores` (higher = more likely OOD) with labels (`true` = OOD): a face
    /// is rejected when its score is `>=` the threshold. Returns 0.5 without data of both kinds.
    public func threshold(scores: [Float], labels: [Bool]) -> Float {
        let negatives = zip(scores, labels).filter { !$0.1 }.map(\.0).sorted()
        let positives = zip(scores, labels).filter { $0.1 }.map(\.0).sorted()
        guard !negatives.isEmpty else { return 0.5 }
        switch self {
        case .targetTNR(let target):
            // Accept index 0..<k of the sorted negatives; threshold just above the k-th smallest.
            let k = min(negatives.count, max(1, Int((target * Float(negatives.count)).rounded(.up))))
            return negatives[k - 1].nextUp
        case .balanced:
            guard !positives.isEmpty else { return 0.5 }
            let candidates = Set(negatives.map(\.nextUp) + positives).sorted()
            var best: (j: Float, t: Float) = (-1, 0.5)
            for t in candidates {
                let tnr = Float(lowerBound(negatives, t)) / Float(negatives.count)
                let tpr = Float(positives.count - lowerBound(positives, t)) / Float(positives.count)
                if tnr + tpr > best.j { best = (tnr + tpr, t) }
            }
            return best.t
        }
    }
}

/// Number of elements of sorted `a` that are `< x`.
func lowerBound(_ a: [Float], _ x: Float) -> Int {
    var lo = 0, hi = a.count
    while lo < hi {
        let mid = (lo + hi) / 2
        if a[mid] < x { lo = mid + 1 } else { hi = mid }
    }
    return lo
}
