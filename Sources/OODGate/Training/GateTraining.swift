/// Settings of `facegate train-gate` / `eval gate`, with documented defaults.
public struct GateTrainingConfig: Sendable, Equatable {
    /// Fraction of identities held out for the report (never seen in training or calibration).
    public var heldOutFraction: Double = 0.3
    /// Fraction of the remaining identities used for early stopping and the threshold.
    public var validationFraction: Double = 0.2
    /// Seed of the identity split (training has its own seed in `mlp`).
    public var seed: UInt64 = 6
    /// How misclassification labels are built.
    public var labels = LabelBuilder()
    /// The scorer's training.
    public var mlp = MLPTrainingConfig()
    /// Share of the OOD class's loss weight given to misclassification-labelled examples
    /// (the rest goes to transformed ones); nil weights every OOD example equally. The classes
    /// are balanced either way.
    public var misclassifiedShare: Double? = nil
    /// How the threshold is calibrated on the validation split.
    public var thresholdRule: ThresholdRule = .targetTNR(0.95)
    /// Hard cue limits stored with the gate.
    public var limits = CueThresholds()
    /// Append the typicality features (Mahalanobis distance to, and cosine with, the training
    /// part's in-distribution originals) to the scorer's input.
    public var typicality = true
    /// Networks in the scorer's ensemble (seeds `mlp.seed`, `mlp.seed + 1`, ...); the score is
    /// their mean probability.
    public var ensembleSize = 5

    /// The documented defaults.
    public init() {}
}

/// A feature set with the seed's labels and the identity split: the shared input of training
/// and evaluation (both recompute it from the same file and seed, so they agree).
public struct LabelledFeatures: Sendable {
    /// Which part of the data a record belongs to (by identity).
    public enum Part: Sendable, Equatable {
        case training, validation, heldOut
    }

    /// What a record is as a gate example.
    public enum Example: Sendable, Equatable {
        /// An original image classified correctly: in distribution.
        case inDistribution
        /// An original image misclassified against the references: OOD.
        case misclassified
        /// A degraded copy of an original: OOD.
        case transformed(Degradation.Kind)
        /// A cluster reference: not an example.
        case reference

        /// True for OOD examples; nil for references.
        public var isOOD: Bool? {
            switch self {
            case .inDistribution: false
            case .misclassified, .transformed: true
            case .reference: nil
            }
        }
    }

    /// The features.
    public var set: FeatureSet
    /// Dense identity number of each record.
    public var identityIndex: [Int]
    /// Example kind of each record.
    public var examples: [Example]
    /// Part of each record.
    public var parts: [Part]
    /// The clustering cut the labels used.
    public var cutDistance: Float

    /// Labels `set` and splits its identities.
    public init(_ set: FeatureSet, config: GateTrainingConfig) throws(GateError) {
        self.set = set
        let names = Array(Set(set.records.map(\.identity))).sorted()
        let number = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        let identityIndex = set.records.map { number[$0.identity] ?? 0 }
        self.identityIndex = identityIndex
        let originals = set.records.indices.filter { set.records[$0].variant == nil }
        guard !originals.isEmpty else { throw GateError(.insufficientData, "the feature set has no original images") }
        let d = set.dimensions
        var flat: [Float] = []
        flat.reserveCapacity(originals.count * d)
        for i in originals { flat.append(contentsOf: set.records[i].embedding) }
        let result = try config.labels.build(embeddings: flat, dimensions: d, identities: originals.map { identityIndex[$0] })
        cutDistance = result.cutDistance
        var examples = [Example](repeating: .reference, count: set.records.count)
        for (k, i) in originals.enumerated() {
            switch result.labels[k] {
            case .reference: examples[i] = .reference
            case .inDistribution: examples[i] = .inDistribution
            case .outOfDistribution: examples[i] = .misclassified
            }
        }
        for (i, r) in set.records.enumerated() {
            if let kind = r.variant { examples[i] = .transformed(kind) }
        }
        self.examples = examples
        var generator = SeededGenerator(seed: config.seed)
        var shuffled = Array(0..<names.count)
        shuffled.shuffle(using: &generator)
        let heldOut = Int((config.heldOutFraction * Double(names.count)).rounded())
        let validation = Int((config.validationFraction * Double(names.count - heldOut)).rounded())
        var partOf = [Part](repeating: .training, count: names.count)
        for (rank, id) in shuffled.enumerated() {
            partOf[id] = rank < heldOut ? .heldOut : (rank < heldOut + validation ? .validation : .training)
        }
        parts = identityIndex.map { partOf[$0] }
    }

    /// Records of `part` that are gate examples.
    public func exampleRows(_ part: Part) -> [Int] {
        set.records.indices.filter { parts[$0] == part && examples[$0].isOOD != nil }
    }
}

/// Trains a gate from labelled features (`facegate train-gate`).
public enum GateTraining {
    /// What training did, for the report.
    public struct Summary: Sendable, Equatable {
        /// Training / validation examples, and how many of each are OOD.
        public var trainingExamples: Int, trainingOOD: Int, validationExamples: Int, validationOOD: Int
        /// The scorer's training summary.
        public var mlp: MLPTrainingSummary
        /// The calibrated threshold.
        public var threshold: Float
    }

    /// Fits the normaliser on the training part, trains the MLP with early stopping on the
    /// validation part, calibrates the threshold there, and returns the gate.
    public static func train(_ data: LabelledFeatures, config: GateTrainingConfig,
                             policy: GatePolicy = .exclude) throws(GateError) -> (Gate, Summary) {
        let d = data.set.dimensions
        guard config.ensembleSize >= 1, config.ensembleSize <= 32 else {
            throw GateError(.insufficientData, "ensemble size must be 1...32, got \(config.ensembleSize)")
        }
        var typicality: EmbeddingTypicality?
        if config.typicality {
            // In-distribution originals of the training part: correctly classified images and references.
            var flat: [Float] = []
            for (i, r) in data.set.records.enumerated()
            where data.parts[i] == .training && (data.examples[i] == .inDistribution || data.examples[i] == .reference) {
                flat.append(contentsOf: r.embedding)
            }
            typicality = try EmbeddingTypicality(fitting: flat, dimensions: d)
        }
        let trainRows = data.exampleRows(.training)
        var validationRows = data.exampleRows(.validation)
        if validationRows.isEmpty { validationRows = trainRows }
        func matrix(_ rows: [Int]) -> [Float] {
            var flat: [Float] = []
            flat.reserveCapacity(rows.count * d)
            for i in rows { flat.append(contentsOf: data.set.records[i].embedding) }
            return GateScorer.rawRows(embeddings: flat, cues: rows.map { data.set.records[$0].cues }, embeddingDimensions: d,
                                      typicality: typicality)
        }
        let width = GateScorer.inputWidth(embeddingDimensions: d, typicality: typicality != nil)
        var x = matrix(trainRows)
        var xv = matrix(validationRows)
        let normaliser = FeatureNormaliser(fitting: x, dimensions: width)
        normaliser.apply(to: &x)
        normaliser.apply(to: &xv)
        let y = trainRows.map { data.examples[$0].isOOD ?? false }
        let yv = validationRows.map { data.examples[$0].isOOD ?? false }
        var networks: [MLP] = []
        var summaries: [MLPTrainingSummary] = []
        for member in 0..<config.ensembleSize {
            var memberConfig = config.mlp
            memberConfig.seed = config.mlp.seed &+ UInt64(member)
            let (network, summary) = try MLP.train(rows: x, labels: y, validationRows: xv, validationLabels: yv,
                                                   dimensions: width, config: memberConfig,
                                                   weights: lossWeights(trainRows, data, config),
                                                   validationWeights: lossWeights(validationRows, data, config))
            networks.append(network)
            summaries.append(summary)
        }
        var scorer = try GateScorer(modelID: data.set.modelID, embeddingDimensions: d, normaliser: normaliser,
                                    networks: networks, typicality: typicality, threshold: 0.5)
        let scores = scorer.probabilities(normalisedRows: xv, count: yv.count)
        let threshold = config.thresholdRule.threshold(scores: scores, labels: yv)
        scorer.threshold = threshold
        let summary = Summary(trainingExamples: y.count, trainingOOD: y.filter { $0 }.count,
                              validationExamples: yv.count, validationOOD: yv.filter { $0 }.count,
                              mlp: summaries[0], threshold: threshold)
        return (Gate(limits: config.limits, scorer: scorer, policy: policy), summary)
    }

    /// ROC AUC of each scalar scorer feature for "misclassified" against "in distribution" on the
    /// training part's originals (oriented so that > 0.5 means high values go with misclassified
    /// faces): the "which features predict misclassification" table `train-gate` prints before
    /// it trains. Includes the typicality features when `config.typicality` is set.
    public static func misclassificationAUCs(_ data: LabelledFeatures, config: GateTrainingConfig) throws(GateError) -> [(feature: String, auc: Double)] {
        let d = data.set.dimensions
        var typicality: EmbeddingTypicality?
        if config.typicality {
            var flat: [Float] = []
            for (i, r) in data.set.records.enumerated()
            where data.parts[i] == .training && (data.examples[i] == .inDistribution || data.examples[i] == .reference) {
                flat.append(contentsOf: r.embedding)
            }
            typicality = try EmbeddingTypicality(fitting: flat, dimensions: d)
        }
        var names = QualityCues.scorerFeatureNames
        if typicality != nil { names += EmbeddingTypicality.featureNames }
        var positives = [[Float]](repeating: [], count: names.count)
        var negatives = [[Float]](repeating: [], count: names.count)
        for (i, r) in data.set.records.enumerated() where data.parts[i] == .training {
            let isOOD: Bool
            switch data.examples[i] {
            case .inDistribution: isOOD = false
            case .misclassified: isOOD = true
            default: continue
            }
            var values = r.cues.scorerFeatures
            if let typicality { values += typicality.features(of: r.embedding[...]) }
            for (j, v) in values.enumerated() {
                if isOOD { positives[j].append(v) } else { negatives[j].append(v) }
            }
        }
        return names.indices.map { (names[$0], rocAUC(positives: positives[$0], negatives: negatives[$0])) }
    }

    /// Per-example loss weights: classes balanced; within OOD, `misclassifiedShare` if set.
    static func lossWeights(_ rows: [Int], _ data: LabelledFeatures, _ config: GateTrainingConfig) -> [Float]? {
        guard let share = config.misclassifiedShare else { return nil }
        var counts = (id: 0, mis: 0, trans: 0)
        for i in rows {
            switch data.examples[i] {
            case .inDistribution: counts.id += 1
            case .misclassified: counts.mis += 1
            case .transformed: counts.trans += 1
            case .reference: break
            }
        }
        let total = Double(counts.id)
        let misShare = counts.trans == 0 ? 1 : (counts.mis == 0 ? 0 : share)
        return rows.map { i in
            switch data.examples[i] {
            case .inDistribution, .reference: 1
            case .misclassified: Float(misShare * total / Double(max(counts.mis, 1)))
            case .transformed: Float((1 - misShare) * total / Double(max(counts.trans, 1)))
            }
        }
    }
}
