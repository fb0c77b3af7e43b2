import Testing
@testable import OODGate

@Suite("GateTraining")
struct GateTrainingTests {
    /// A synthetic labelled folder: tight identities; some images planted on another identity
    /// (misclassified -> OOD); degraded copies whose embeddings drift towards a common "junk"
    /// direction and whose cues are poor (what real degraded faces do).
    static func syntheticSet() throws -> FeatureSet {
        let d = 12
        var g = SeededGenerator(seed: 21)
        let (rows, ids, centres) = Fixtures.gallery(identities: 60, perIdentity: 4, dimensions: d, spread: 0.2, seed: 22)
        let junk = Fixtures.normalise((0..<d).map { _ in g.nextGaussian() })
        var records: [FeatureSet.Record] = []
        for (row, id) in ids.enumerated() {
            var e = Array(rows[(row * d)..<((row + 1) * d)])
            var cues = Fixtures.goodCues
            cues.sharpness = 200 + 200 * g.nextUnit()
            if row % 4 == 3, id % 3 == 0 {
                // Planted: looks like the next identity, slightly poorer cues.
                e = Fixtures.normalise(zip(centres[(id + 1) % centres.count], junk).map { $0 * 0.8 + $1 * 0.4 })
                cues.sharpness = 60
            }
            records.append(.init(identity: "id\(id)", source: "id\(id)/\(row).jpg", variant: nil, embedding: e, cues: cues))
            let kind = Degradation.Kind.allCases[row % Degradation.Kind.allCases.count]
            let bad = Fixtures.normalise(zip(e, junk).map { $0 * 0.5 + $1 * 0.8 })
            var badCues = cues
            badCues.sharpness = 40 + 40 * g.nextUnit()
            records.append(.init(identity: "id\(id)", source: "id\(id)/\(row).jpg", variant: kind, embedding: bad, cues: badCues))
        }
        return try FeatureSet(modelID: "synthetic", dimensions: d, records: records)
    }

    @Test("labels and split: identities never straddle parts, planted images are misclassified")
    func labelsAndSplit() throws {
        let data = try LabelledFeatures(Self.syntheticSet(), config: GateTrainingConfig())
        var partOfIdentity: [Int: LabelledFeatures.Part] = [:]
        for (i, id) in data.identityIndex.enumerated() {
            if let p = partOfIdentity[id] { #expect(p == data.parts[i]) } else { partOfIdentity[id] = data.parts[i] }
        }
        let held = partOfIdentity.values.filter { $0 == .heldOut }.count
        #expect(held == 18)  // 30% of 60
        let misclassified = data.examples.filter { $0 == .misclassified }.count
        #expect(misclassified >= 15 && misclassified <= 20)  // 20 planted
        #expect(data.examples.filter { if case .transformed = $0 { true } else { false } }.count == 240)
    }

    @Test("training, report, and file round trip on a synthetic folder")
    func trainAndReport() throws {
        var config = GateTrainingConfig()
        config.mlp.hidden = [16]
        config.mlp.maxEpochs = 40
        let data = try LabelledFeatures(Self.syntheticSet(), config: config)
        let (gate, summary) = try GateTraining.train(data, config: config)
        #expect(summary.trainingOOD > 0 && summary.trainingOOD < summary.trainingExamples)
        let report = try GateReport(gate: gate, data: data)
        #expect(report.transformed.tpr > 0.9)
        #expect(report.overall.tnr > 0.8)
        #expect(report.errorExcluded <= report.errorAll)
        #expect(report.text.contains("misclassification-labelled"))
        // The exclusion sweep removes nested sets of faces: discarded probes never shrink, and
        // the planted (misclassified, poorer) faces score high, so excluding 15% helps.
        #expect(report.exclusionSweep.map(\.fraction) == GateReport.sweepFractions)
        let discarded = report.exclusionSweep.map(\.discardedProbes)
        #expect(zip(discarded, discarded.dropFirst()).allSatisfy { $0 <= $1 })
        #expect(discarded[0] > 0)
        #expect(report.exclusionSweep.last!.error <= report.errorAll)
        // The saved gate gives the same verdicts.
        let reread = try GateFile.decode(GateFile.encode(gate), file: "g", expectedModelID: "synthetic")
        #expect(reread == gate)
    }

    @Test("defaults train a 5-network ensemble with typicality; the feature AUC table sees the planted signal")
    func ensembleAndFeatureAUCs() throws {
        var config = GateTrainingConfig()
        config.mlp.hidden = [8]
        config.mlp.maxEpochs = 10
        config.ensembleSize = 3
        let data = try LabelledFeatures(Self.syntheticSet(), config: config)
        let (gate, _) = try GateTraining.train(data, config: config)
        let scorer = try #require(gate.scorer)
        #expect(scorer.networks.count == 3)
        #expect(scorer.typicality != nil)
        #expect(scorer.normaliser.dimensions == 12 + QualityCues.featureCount + EmbeddingTypicality.featureCount)
        let aucs = try GateTraining.misclassificationAUCs(data, config: config)
        #expect(aucs.map(\.feature) == QualityCues.scorerFeatureNames + EmbeddingTypicality.featureNames)
        // Planted (misclassified) images have sharpness 60 against 200...400: low sharpness = misclassified.
        let sharpness = try #require(aucs.first { $0.feature == "log sharpness" })
        #expect(sharpness.auc < 0.05)
        config.typicality = false
        config.ensembleSize = 1
        let (plain, _) = try GateTraining.train(data, config: config)
        #expect(plain.scorer?.typicality == nil)
        var r = ByteReader(bytes: GateFile.encode(plain), file: "g")
        try r.tag("FGGT")
        let stored = try r.u32("version")
        #expect(stored == 1)
    }
}
