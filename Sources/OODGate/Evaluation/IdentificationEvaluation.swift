/// Closed-set k-NN identification accuracy over labelled embeddings, with and without the
/// faces a gate rejects: the seed's "k-NN accuracy, all images vs OOD excluded".
///
/// Protocol: per identity (in row order), the first eligible image is its gallery entry and
/// its other eligible images are probes; identities with a single eligible image stay in the
/// gallery as distractors. "Eligible" is every image, or only the accepted ones when
/// excluding. A probe is correct when its nearest gallery entry has its identity.
public struct IdentificationEvaluation: Sendable {
    /// Embeddings, row-major.
    public var embeddings: [Float]
    /// Embedding width.
    public var dimensions: Int
    /// Identity of each row.
    public var identities: [Int]

    /// Creates an evaluation over rows.
    public init(embeddings: [Float], dimensions: Int, identities: [Int]) {
        self.embeddings = embeddings
        self.dimensions = dimensions
        self.identities = identities
    }

    /// Result of one run.
    public struct Outcome: Sendable, Equatable {
        /// Probes classified.
        public var probes: Int
        /// Probes whose nearest gallery entry has their identity.
        public var correct: Int
        /// Gallery entries.
        public var gallerySize: Int
        /// Per-probe row index and correctness, in row order (for discard curves).
        public var perProbe: [(row: Int, correct: Bool)]

        /// `correct / probes` (NaN without probes).
        public var accuracy: Double { Double(correct) / Double(probes) }

        public static func == (a: Outcome, b: Outcome) -> Bool {
            a.probes == b.probes && a.correct == b.correct && a.gallerySize == b.gallerySize
                && a.perProbe.map(\.row) == b.perProbe.map(\.row) && a.perProbe.map(\.correct) == b.perProbe.map(\.correct)
        }
    }

    /// Runs the protocol over the rows where `eligible` is true (all rows when nil).
    public func run(eligible: [Bool]? = nil) -> Outcome {
        let d = dimensions
        var gallery: [Int] = []
        var galleryOf: [Int: Int] = [:]
        var probes: [Int] = []
        for row in identities.indices where eligible?[row] ?? true {
            if galleryOf[identities[row]] == nil {
                galleryOf[identities[row]] = row
                gallery.append(row)
            } else {
                probes.append(row)
            }
        }
        var perProbe: [(row: Int, correct: Bool)] = []
        var correct = 0
        for p in probes {
            var best = Float.infinity
            var bestIdentity = -1
            for g in gallery {
                var s: Float = 0
                for j in 0..<d {
                    let t = embeddings[p * d + j] - embeddings[g * d + j]
                    s += t * t
                }
                if s < best { best = s; bestIdentity = identities[g] }
            }
            let ok = bestIdentity == identities[p]
            if ok { correct += 1 }
            perProbe.append((p, ok))
        }
        return Outcome(probes: probes.count, correct: correct, gallerySize: gallery.count, perProbe: perProbe)
    }
}
