/// The open-set decision of one search.
public enum Decision: String, Sendable, Equatable {
    /// The best candidate is within the operating threshold.
    case match
    /// No candidate is within the threshold (or the gallery is empty).
    case unknown
}

/// A search answer with its open-set decision.
public struct Identification: Sendable, Equatable {
    /// `match` when `candidates[0].distance <= threshold`, else `unknown`.
    public var decision: Decision
    /// Nearest identities, nearest first (returned for both decisions).
    public var candidates: [Candidate]
    /// The threshold applied (Euclidean distance).
    public var threshold: Float
}

/// Open-set operating point: the distance above which the best candidate is `unknown`.
public struct OpenSetPolicy: Sendable, Equatable {
    /// Euclidean distance threshold (inclusive for a match).
    public var threshold: Float

    /// Sets the threshold directly.
    /// - Throws: `.invalidArgument` when the threshold is negative or not finite.
    public init(threshold: Float) throws(GalleryError) {
        guard threshold.isFinite, threshold >= 0 else {
            throw GalleryError(.invalidArgument, "threshold must be a finite distance >= 0, got \(threshold)")
        }
        self.threshold = threshold
    }

    /// Decides a ranked candidate list.
    public func decide(_ candidates: [Candidate]) -> Identification {
        let match = candidates.first.map { $0.distance <= threshold } ?? false
        return Identification(decision: match ? .match : .unknown, candidates: candidates, threshold: threshold)
    }

    /// Derives the threshold for a target false positive identification rate from impostor
    /// distances: the largest threshold at which at most `fpir` of them would match.
    /// - Parameter impostorDistances: for each probe, its distance to the nearest *other* identity.
    /// - Throws: `.invalidArgument` when `fpir` is outside [0, 1] or there are no distances.
    public init(targetFPIR fpir: Double, impostorDistances: [Float]) throws(GalleryError) {
        guard fpir >= 0, fpir <= 1 else { throw GalleryError(.invalidArgument, "FPIR must be in [0, 1], got \(fpir)") }
        let sorted = impostorDistances.filter(\.isFinite).sorted()
        guard !sorted.isEmpty else { throw GalleryError(.invalidArgument, "no impostor distances to derive a threshold from") }
        let allowed = Int((fpir * Double(sorted.count)).rounded(.down))  // impostors allowed to match
        let t: Float = allowed >= sorted.count ? sorted[sorted.count - 1] : sorted[allowed].nextDown
        try self.init(threshold: max(0, t))
    }
}

extension VectorIndex {
    /// Searches and applies the open-set decision.
    public func identify(_ query: [Float], topK: Int, policy: OpenSetPolicy) throws(GalleryError) -> Identification {
        policy.decide(try search(query, topK: topK))
    }

    /// The gallery's own impostor distances: for each probe (usually the gallery's faces, read
    /// from the store), the distance to the nearest identity other than its own.
    public func impostorDistances(probes: [(vector: [Float], identity: IdentityID)]) throws(GalleryError) -> [Float] {
        var out: [Float] = []
        out.reserveCapacity(probes.count)
        for p in probes {
            if let c = try search(p.vector, topK: 2).first(where: { $0.identity != p.identity }) { out.append(c.distance) }
        }
        return out
    }
}
