import Testing
@testable import OODGate

@Suite("LabelBuilder")
struct LabelBuilderTests {
    /// Tight identity clusters with planted outliers: an image of identity A that sits on
    /// identity B's cluster must be labelled OOD, everything else in distribution or reference.
    @Test("planted outliers are labelled OOD, clean images in distribution")
    func plantedOutliers() throws {
        let d = 16
        var (rows, ids, centres) = Fixtures.gallery(identities: 8, perIdentity: 5, dimensions: d, spread: 0.15, seed: 1)
        // Plant: the 5th image of identity i becomes a near copy of identity (i+1)'s centre.
        let planted = [0, 3, 6].map { $0 * 5 + 4 }
        for row in planted {
            let other = centres[(ids[row] + 1) % centres.count]
            for j in 0..<d { rows[row * d + j] = other[j] * 0.98 + 0.02 * centres[ids[row]][j] }
        }
        // A cut that merges the whole identity (planted images included) into one cluster.
        let result = try LabelBuilder(cutDistance: 10).build(embeddings: rows, dimensions: d, identities: ids)
        for row in ids.indices {
            if planted.contains(row) {
                #expect(result.labels[row] == .outOfDistribution, "row \(row)")
            } else {
                #expect(result.labels[row] != .outOfDistribution, "row \(row)")
            }
        }
        // One reference per identity (one cluster each at this cut).
        #expect(result.labels.filter { $0 == .reference }.count == 8)
        #expect(result.clusters.allSatisfy { $0 == 0 })
    }

    @Test("the reference is the cluster medoid, never a planted outlier")
    func medoid() throws {
        let d = 8
        var (rows, ids, centres) = Fixtures.gallery(identities: 3, perIdentity: 4, dimensions: d, spread: 0.1, seed: 2)
        for j in 0..<d { rows[0 * d + j] = centres[1][j] }
        let result = try LabelBuilder(cutDistance: 10).build(embeddings: rows, dimensions: d, identities: ids)
        #expect(result.labels[0] == .outOfDistribution)
        #expect(result.labels[0..<4].filter { $0 == .reference }.count == 1)
    }

    @Test("a small cut splits an identity into clusters; singleton clusters give no reference")
    func smallCutSplits() throws {
        // Identity 0: a mode of 3, a mode of 2, and a lone image near identity 1; identity 1: one image.
        let rows: [Float] = [0, 0, 0, 0.01, 0, 0.02, 5, 5, 5, 5.01, -4.8, -5, -5, -5]
        let ids = [0, 0, 0, 0, 0, 0, 1]
        let result = try LabelBuilder(cutDistance: 1).build(embeddings: rows, dimensions: 2, identities: ids)
        #expect(result.labels.filter { $0 == .reference }.count == 3)
        #expect(result.labels[6] == .reference)  // an identity's only cluster is always a reference
        #expect(Set(result.clusters[0..<3]).count == 1 && result.clusters[3] == result.clusters[4] && result.clusters[0] != result.clusters[3])
        #expect(result.labels[5] == .outOfDistribution)
        #expect(result.labels[0..<5].allSatisfy { $0 != .outOfDistribution })
        // Allowing singleton references hides the outlier (it becomes its own reference).
        let literal = try LabelBuilder(cutDistance: 1, minReferenceClusterSize: 1).build(embeddings: rows, dimensions: 2, identities: ids)
        #expect(literal.labels[5] == .reference)
    }

    @Test("k-NN majority vote: two same-identity references outvote one nearer impostor")
    func majorityVote() throws {
        // Identity 0: mode A around (-1, 0), mode B around (1, 0), and a probe P at (0.05, 0.6)
        // that joins mode B's cluster at cut 1.3 (average linkage) without becoming its medoid.
        // Identity 1: two images around (0, 0.9), nearest to P.
        let rows: [Float] = [-1, 0, -0.98, 0, 1, 0, 0.98, 0, 0, 0.9, 0.02, 0.9, 0.05, 0.6]
        let ids = [0, 0, 0, 0, 1, 1, 0]
        let one = try LabelBuilder(cutDistance: 1.3, k: 1).build(embeddings: rows, dimensions: 2, identities: ids)
        let three = try LabelBuilder(cutDistance: 1.3, k: 3).build(embeddings: rows, dimensions: 2, identities: ids)
        #expect(one.labels.filter { $0 == .reference }.count == 3)
        #expect(one.labels[6] == .outOfDistribution)
        #expect(three.labels[6] == .inDistribution)
        #expect(one.labels[1] == .inDistribution || one.labels[1] == .reference)
    }

    @Test("the automatic cut is the 1% quantile of impostor distances")
    func automaticCut() throws {
        let (rows, ids, _) = Fixtures.gallery(identities: 20, perIdentity: 3, dimensions: 32, spread: 0.3, seed: 3)
        let result = try LabelBuilder().build(embeddings: rows, dimensions: 32, identities: ids)
        // Random unit vectors in 32-d are ~sqrt(2) apart; the 1% quantile is clearly below that
        // but well above the within-identity spread.
        #expect(result.cutDistance > 0.8 && result.cutDistance < 1.41)
        #expect(!result.labels.contains(.outOfDistribution))
    }

    @Test("mismatched sizes throw")
    func sizes() {
        #expect(throws: GateError.self) {
            try LabelBuilder().build(embeddings: [1, 2, 3], dimensions: 2, identities: [0, 1])
        }
    }
}
