/// Builds OOD training labels the seed's way from a folder of identities' embeddings.
///
/// Per identity, its embeddings are clustered (agglomerative, average linkage, merging while
/// the closest clusters are nearer than `cutDistance`); the medoid of the identity's largest
/// cluster, and of every other cluster with at least `minReferenceClusterSize` images, becomes a
/// reference. (With a reference for every singleton cluster, as a literal reading of the seed
/// suggests, a lone outlier would be its own reference and could never be found.) Every other image is classified by k-NN against all identities' references:
/// misclassified images are OOD, correctly classified ones in distribution. References are
/// labelled `.reference` (not used as gate examples; they are the "good" sources for synthetic
/// degradations). Distances are Euclidean.
public struct LabelBuilder: Sendable, Equatable {
    /// The label of one image.
    public enum Label: Sendable, Equatable {
        /// A cluster representative (enrolled as a reference).
        case reference
        /// Classified correctly against the references.
        case inDistribution
        /// Classified as another identity.
        case outOfDistribution
    }

    /// Clusters closer than this (average linkage) merge. Nil: the 1% quantile of distances
    /// between different identities' images (a model-independent "same person" radius).
    public var cutDistance: Float?
    /// Clusters smaller than this contribute no reference (except an identity's largest).
    public var minReferenceClusterSize: Int = 2
    /// Neighbours voting in the k-NN classification (ties go to the nearest).
    public var k: Int = 1
    /// Seed for sampling impostor pairs when `cutDistance` is nil.
    public var seed: UInt64 = 6

    /// Creates a builder with the documented defaults (automatic cut, 1-NN).
    public init(cutDistance: Float? = nil, k: Int = 1, minReferenceClusterSize: Int = 2, seed: UInt64 = 6) {
        self.cutDistance = cutDistance
        self.minReferenceClusterSize = minReferenceClusterSize
        self.k = k
        self.seed = seed
    }

    /// The result: per-image labels, plus the cut actually used.
    public struct Result: Sendable, Equatable {
        /// One label per input row.
        public var labels: [Label]
        /// The clustering cut distance used.
        public var cutDistance: Float
        /// Cluster index of each row within its identity.
        public var clusters: [Int]
    }

    /// Labels `identities.count` rows of `embeddings` (row-major, `dimensions` wide).
    public func build(embeddings: [Float], dimensions d: Int, identities: [Int]) throws(GateError) -> Result {
        let n = identities.count
        guard d > 0, embeddings.count == n * d else {
            throw GateError(.dimensionMismatch, "\(embeddings.count) embedding values for \(n) rows of \(d)")
        }
        func dist(_ a: Int, _ b: Int) -> Float {
            var s: Float = 0
            for j in 0..<d {
                let t = embeddings[a * d + j] - embeddings[b * d + j]
                s += t * t
            }
            return s.squareRoot()
        }
        var groups: [Int: [Int]] = [:]
        for (row, id) in identities.enumerated() { groups[id, default: []].append(row) }
        let cut = cutDistance ?? automaticCut(n: n, identities: identities, distance: dist)

        var labels = [Label](repeating: .inDistribution, count: n)
        var clusterOf = [Int](repeating: 0, count: n)
        var references: [Int] = []
        for id in groups.keys.sorted() {
            let rows = groups[id]!
            let clusters = Self.averageLinkage(rows: rows, cut: cut, distance: dist)
            // The largest cluster first (ties: the earliest), always a reference.
            let largest = clusters.indices.max { clusters[$0].count < clusters[$1].count || (clusters[$0].count == clusters[$1].count && $0 > $1) } ?? 0
            for (ci, members) in clusters.enumerated() {
                for m in members { clusterOf[m] = ci }
                guard ci == largest || members.count >= minReferenceClusterSize else { continue }
                let medoid = members.min { a, b in
                    members.reduce(0) { $0 + dist(a, $1) } < members.reduce(0) { $0 + dist(b, $1) }
                }!
                references.append(medoid)
                labels[medoid] = .reference
            }
        }
        for row in 0..<n where labels[row] != .reference {
            let ranked = references.map { (dist(row, $0), identities[$0]) }.sorted { $0.0 < $1.0 }
            let voters = ranked.prefix(max(1, k))
            var votes: [Int: Int] = [:]
            for v in voters { votes[v.1, default: 0] += 1 }
            let top = votes.values.max() ?? 0
            let winner = voters.first { votes[$0.1] == top }!.1
            labels[row] = winner == identities[row] ? .inDistribution : .outOfDistribution
        }
        return Result(labels: labels, cutDistance: cut, clusters: clusterOf)
    }

    /// Average-linkage agglomerative clustering of `rows`; O(m^3) in the identity's size m,
    /// fine for folders of tens of images per identity.
    static func averageLinkage(rows: [Int], cut: Float, distance: (Int, Int) -> Float) -> [[Int]] {
        var clusters = rows.map { [$0] }
        while clusters.count > 1 {
            var best: (Float, Int, Int) = (.infinity, 0, 0)
            for a in 0..<clusters.count {
                for b in (a + 1)..<clusters.count {
                    var s: Float = 0
                    for x in clusters[a] { for y in clusters[b] { s += distance(x, y) } }
                    let mean = s / Float(clusters[a].count * clusters[b].count)
                    if mean < best.0 { best = (mean, a, b) }
                }
            }
            guard best.0 < cut else { break }
            clusters[best.1].append(contentsOf: clusters[best.2])
            clusters.remove(at: best.2)
        }
        return clusters
    }

    /// The 1% quantile of up to 4,000 sampled distances between different identities' rows.
    func automaticCut(n: Int, identities: [Int], distance: (Int, Int) -> Float) -> Float {
        var generator = SeededGenerator(seed: seed)
        var samples: [Float] = []
        var attempts = 0
        while samples.count < 4000, attempts < 40_000, n > 1 {
            attempts += 1
            let a = Int(generator.next() % UInt64(n))
            let b = Int(generator.next() % UInt64(n))
            if identities[a] != identities[b] { samples.append(distance(a, b)) }
        }
        guard !samples.isEmpty else { return .infinity }
        samples.sort()
        return samples[samples.count / 100]
    }
}
