import Foundation
import Testing
@testable import OODGate

@Suite("EmbeddingTypicality")
struct EmbeddingTypicalityTests {
    /// Rows from a Gaussian with standard deviations 2, 1, 0.25, 0.25 around (1, 0, 0, 0).
    static func rows(_ n: Int = 2000) -> [Float] {
        var g = SeededGenerator(seed: 31)
        let sd: [Float] = [2, 1, 0.25, 0.25]
        var out: [Float] = []
        for _ in 0..<n { for j in 0..<4 { out.append((j == 0 ? 1 : 0) + sd[j] * g.nextGaussian()) } }
        return out
    }

    @Test("the Cholesky inverse times the matrix is the identity")
    func inverse() throws {
        var g = SeededGenerator(seed: 3)
        let d = 6
        let a = (0..<(d * d)).map { _ in Double(g.nextGaussian()) }
        var m = [Double](repeating: 0, count: d * d)  // A A^T + I: symmetric positive definite
        for i in 0..<d { for j in 0..<d { for k in 0..<d { m[i * d + j] += a[i * d + k] * a[j * d + k] } } ; m[i * d + i] += 1 }
        let inv = try #require(EmbeddingTypicality.invertSymmetricPositiveDefinite(m, dimensions: d))
        for i in 0..<d {
            for j in 0..<d {
                var s = 0.0
                for k in 0..<d { s += m[i * d + k] * inv[k * d + j] }
                #expect(abs(s - (i == j ? 1 : 0)) < 1e-9)
            }
        }
        #expect(EmbeddingTypicality.invertSymmetricPositiveDefinite([1, 2, 2, 1], dimensions: 2) == nil)  // indefinite
    }

    @Test("Mahalanobis: a step along a low-variance axis is farther than along a high-variance one; the mean is at 0")
    func mahalanobis() throws {
        let t = try EmbeddingTypicality(fitting: Self.rows(), dimensions: 4, shrinkage: 0)
        #expect(abs(t.mean[0] - 1) < 0.15 && abs(t.mean[2]) < 0.05)
        let atMean = t.features(of: t.mean[...])
        #expect(abs(atMean[0]) < 1e-4)           // log(1 + 0)
        #expect(abs(atMean[1] - 1) < 1e-5)       // cosine with itself
        var wide = t.mean, narrow = t.mean
        wide[0] += 1
        narrow[2] += 1
        let w = t.features(of: wide[...])[0], n = t.features(of: narrow[...])[0]
        #expect(n > w + 2)                        // 1/0.25^2 = 16 vs 1/2^2 = 0.25
        #expect(abs(n - logf(1 + 16)) < 0.3)
    }

    @Test("cosine to the mean falls as the embedding turns away from it")
    func cosine() throws {
        let t = try EmbeddingTypicality(fitting: Self.rows(), dimensions: 4)
        let along = t.features(of: [2, 0, 0, 0][...])[1]
        let across = t.features(of: [0, 1, 0, 0][...])[1]
        #expect(along > 0.95 && abs(across) < 0.2)
    }

    @Test("shrinkage keeps a rank-deficient covariance invertible; bad inputs are typed errors")
    func errors() throws {
        // 3 points in 4-d: singular without shrinkage.
        let few: [Float] = [0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0]
        #expect(throws: GateError.self) { try EmbeddingTypicality(fitting: few, dimensions: 4, shrinkage: 0) }
        let t = try EmbeddingTypicality(fitting: few, dimensions: 4)
        #expect(t.precision.allSatisfy { $0.isFinite })
        let one = #expect(throws: GateError.self) { try EmbeddingTypicality(fitting: [1, 2, 3, 4], dimensions: 4) }
        #expect(one?.code == .insufficientData)
        let ragged = #expect(throws: GateError.self) { try EmbeddingTypicality(fitting: [1, 2, 3], dimensions: 2) }
        #expect(ragged?.code == .dimensionMismatch)
        let stored = #expect(throws: GateError.self) { try EmbeddingTypicality(mean: [0, 0], precision: [1, 0, 0]) }
        #expect(stored?.code == .dimensionMismatch)
    }
}

@Suite("GateScorer ensemble and version-2 gate files")
struct GateScorerEnsembleTests {
    static func scorer(networks: Int, typicality: Bool) throws -> GateScorer {
        var g = SeededGenerator(seed: 9)
        let d = 4
        let width = GateScorer.inputWidth(embeddingDimensions: d, typicality: typicality)
        let nets = (0..<networks).map { _ in MLP(inputs: width, hidden: [3], generator: &g) }
        let t = typicality ? try EmbeddingTypicality(fitting: EmbeddingTypicalityTests.rows(200), dimensions: d) : nil
        let normaliser = FeatureNormaliser(mean: (0..<width).map { Float($0) * 0.1 }, inverseStd: .init(repeating: 0.5, count: width))
        return try GateScorer(modelID: "m", embeddingDimensions: d, normaliser: normaliser, networks: nets, typicality: t, threshold: 0.4)
    }

    @Test("the ensemble's score is the mean of its members' probabilities")
    func ensembleMean() throws {
        let s = try Self.scorer(networks: 3, typicality: true)
        let e: [Float] = [0.5, -0.2, 0.1, 0.3, 1, 0, 0, 0]
        let cues = [Fixtures.goodCues, Fixtures.goodCues]
        let score = try s.scores(embeddings: e, cues: cues)
        var members: [[Float]] = []
        for n in s.networks {
            let single = try GateScorer(modelID: "m", embeddingDimensions: 4, normaliser: s.normaliser, networks: [n],
                                        typicality: s.typicality, threshold: 0.4)
            members.append(try single.scores(embeddings: e, cues: cues))
        }
        for i in 0..<2 {
            #expect(abs(score[i] - members.map { $0[i] }.reduce(0, +) / 3) < 1e-6)
        }
        #expect(members[0] != members[1])  // the members differ, so the test can fail
    }

    @Test("parts that disagree are refused")
    func mismatch() throws {
        var g = SeededGenerator(seed: 1)
        let plain = MLP(inputs: 4 + QualityCues.featureCount, hidden: [2], generator: &g)  // no room for typicality
        let t = try EmbeddingTypicality(fitting: EmbeddingTypicalityTests.rows(50), dimensions: 4)
        let width = GateScorer.inputWidth(embeddingDimensions: 4, typicality: true)
        let n = FeatureNormaliser(mean: .init(repeating: 0, count: width), inverseStd: .init(repeating: 1, count: width))
        #expect(throws: GateError.self) {
            try GateScorer(modelID: "m", embeddingDimensions: 4, normaliser: n, networks: [plain], typicality: t, threshold: 0.5)
        }
        #expect(throws: GateError.self) {
            try GateScorer(modelID: "m", embeddingDimensions: 4, normaliser: n, networks: [], typicality: t, threshold: 0.5)
        }
    }

    @Test("version 2 round trips (typicality, ensemble); a plain scorer is still written as version 1",
          arguments: [(1, false, UInt32(1)), (3, false, UInt32(2)), (1, true, UInt32(2)), (4, true, UInt32(2))])
    func versions(networks: Int, typicality: Bool, version: UInt32) throws {
        let gate = Gate(scorer: try Self.scorer(networks: networks, typicality: typicality))
        let bytes = GateFile.encode(gate)
        var r = ByteReader(bytes: bytes, file: "g")
        try r.tag("FGGT")
        let stored = try r.u32("version")
        #expect(stored == version)
        #expect(try GateFile.decode(bytes, file: "g", expectedModelID: "m") == gate)
    }

    @Test("every truncation of a version-2 file is an error, never a crash")
    func truncations() throws {
        let bytes = GateFile.encode(Gate(scorer: try Self.scorer(networks: 2, typicality: true)))
        for length in stride(from: 0, to: bytes.count, by: 7) {
            let error = #expect(throws: GateError.self) { try GateFile.decode(Array(bytes.prefix(length)), file: "cut2.fggt") }
            #expect(error?.message.contains("cut2.fggt") == true)
        }
    }

    @Test("a version-2 file with an impossible typicality count is refused")
    func badTypicalityCount() throws {
        var w = ByteWriter()
        w.tag("FGGT"); w.u32(2); w.u8(1); w.string("m"); w.u32(10); w.f32s(CueThresholds().values)
        w.u32(4); w.u32(10); w.u32(3)
        w.u64(fnv1a64(w.bytes[...]))
        let error = #expect(throws: GateError.self) { try GateFile.decode(w.bytes, file: "t") }
        #expect(error?.code == .malformedFile)
        #expect(error?.message.contains("typicality") == true)
    }
}
