/// The learned part of a gate: `[embedding, cue features, typicality features]` -> z-score ->
/// MLP (or the mean probability of an ensemble of MLPs) -> P(OOD).
///
/// Tied to one embedding model (`modelID`): its embedding width and its feature space.
public struct GateScorer: Sendable, Equatable {
    /// Identifier of the embedding model the scorer was trained on (e.g. the model file's sha256).
    public var modelID: String
    /// Embedding width the scorer expects.
    public var embeddingDimensions: Int
    /// Input scaling fitted on the training split.
    public var normaliser: FeatureNormaliser
    /// The ensemble members (at least one); the score is their mean probability.
    public private(set) var networks: [MLP]
    /// Typicality features appended to the input (nil: a version-1 scorer without them).
    public private(set) var typicality: EmbeddingTypicality?
    /// Operating threshold on the probability (reject at or above).
    public var threshold: Float

    /// The first (for a version-1 scorer, the only) network.
    public var network: MLP { networks[0] }

    /// Input width: embedding, cue features, and typicality features when present.
    public var inputWidth: Int {
        Self.inputWidth(embeddingDimensions: embeddingDimensions, typicality: typicality != nil)
    }

    /// Input width for the given embedding width, with or without typicality features.
    public static func inputWidth(embeddingDimensions d: Int, typicality: Bool) -> Int {
        d + QualityCues.featureCount + (typicality ? EmbeddingTypicality.featureCount : 0)
    }

    /// Creates a single-network scorer without typicality features (the version-1 scorer).
    public init(modelID: String, embeddingDimensions: Int, normaliser: FeatureNormaliser, network: MLP,
                threshold: Float) throws(GateError) {
        try self.init(modelID: modelID, embeddingDimensions: embeddingDimensions, normaliser: normaliser,
                      networks: [network], typicality: nil, threshold: threshold)
    }

    /// Creates a scorer from its parts; throws `dimensionMismatch` unless the parts agree.
    public init(modelID: String, embeddingDimensions: Int, normaliser: FeatureNormaliser, networks: [MLP],
                typicality: EmbeddingTypicality?, threshold: Float) throws(GateError) {
        let width = Self.inputWidth(embeddingDimensions: embeddingDimensions, typicality: typicality != nil)
        guard embeddingDimensions > 0, !networks.isEmpty, normaliser.dimensions == width, normaliser.inverseStd.count == width
        else {
            throw GateError(.dimensionMismatch,
                            "scorer parts disagree: input \(width), normaliser \(normaliser.dimensions), \(networks.count) networks")
        }
        if let typicality, typicality.dimensions != embeddingDimensions {
            throw GateError(.dimensionMismatch, "typicality is \(typicality.dimensions)-d, embeddings \(embeddingDimensions)-d")
        }
        for (member, network) in networks.enumerated() {
            guard network.inputs == width, network.layers.last?.outputs == 1 else {
                throw GateError(.dimensionMismatch, "network \(member) takes \(network.inputs) inputs (expected \(width)) or has no single output")
            }
            for (index, layer) in network.layers.enumerated() {
                let previous = index == 0 ? width : network.layers[index - 1].outputs
                guard layer.inputs == previous, layer.weights.count == layer.inputs * layer.outputs,
                      layer.bias.count == layer.outputs
                else { throw GateError(.dimensionMismatch, "network \(member) layer \(index) has inconsistent shapes") }
            }
        }
        self.modelID = modelID
        self.embeddingDimensions = embeddingDimensions
        self.normaliser = normaliser
        self.networks = networks
        self.typicality = typicality
        self.threshold = threshold
    }

    /// The unnormalised input rows for a batch (row-major, `inputWidth` wide; without
    /// `typicality`, `embeddingDimensions + QualityCues.featureCount`).
    public static func rawRows(embeddings: [Float], cues: [QualityCues], embeddingDimensions d: Int,
                               typicality: EmbeddingTypicality? = nil) -> [Float] {
        var rows: [Float] = []
        rows.reserveCapacity(cues.count * inputWidth(embeddingDimensions: d, typicality: typicality != nil))
        for (i, c) in cues.enumerated() {
            let e = embeddings[(i * d)..<((i + 1) * d)]
            rows.append(contentsOf: e)
            rows.append(contentsOf: c.scorerFeatures)
            if let typicality { rows.append(contentsOf: typicality.features(of: e)) }
        }
        return rows
    }

    /// P(OOD) for normalised rows: the ensemble's mean probability.
    func probabilities(normalisedRows rows: [Float], count: Int) -> [Float] {
        var sum = [Float](repeating: 0, count: count)
        for network in networks {
            for (i, logit) in network.logits(rows, count: count).enumerated() { sum[i] += sigmoid(logit) }
        }
        let scale = 1 / Float(networks.count)
        return sum.map { $0 * scale }
    }

    /// P(OOD) for a batch: `embeddings` row-major (`cues.count x embeddingDimensions`).
    ///
    /// Throws `dimensionMismatch` when the sizes disagree (client input never traps).
    public func scores(embeddings: [Float], cues: [QualityCues]) throws(GateError) -> [Float] {
        guard embeddings.count == cues.count * embeddingDimensions else {
            throw GateError(.dimensionMismatch,
                            "expected \(cues.count) x \(embeddingDimensions) embedding values, got \(embeddings.count)")
        }
        var rows = Self.rawRows(embeddings: embeddings, cues: cues, embeddingDimensions: embeddingDimensions,
                                typicality: typicality)
        normaliser.apply(to: &rows)
        return probabilities(normalisedRows: rows, count: cues.count)
    }
}
