/// The learned part of a gate: `[embedding, cue features]` -> z-score -> MLP -> P(OOD).
///
/// Tied to one embedding model (`modelID`): its embedding width and its feature space.
public struct GateScorer: Sendable, Equatable {
    /// Identifier of the embedding model the scorer was trained on (e.g. the model file's sha256).
    public var modelID: String
    /// Embedding width the scorer expects.
    public var embeddingDimensions: Int
    /// Input scaling fitted on the training split.
    public var normaliser: FeatureNormaliser
    /// The network.
    public var network: MLP
    /// Operating threshold on the probability (reject at or above).
    public var threshold: Float

    /// Creates a scorer from its parts; throws `dimensionMismatch` unless the parts agree.
    public init(modelID: String, embeddingDimensions: Int, normaliser: FeatureNormaliser, network: MLP,
                threshold: Float) throws(GateError) {
        let width = embeddingDimensions + QualityCues.featureCount
        guard embeddingDimensions > 0, normaliser.dimensions == width, normaliser.inverseStd.count == width,
              network.inputs == width, network.layers.last?.outputs == 1
        else {
            throw GateError(.dimensionMismatch,
                            "scorer parts disagree: embedding \(embeddingDimensions)+\(QualityCues.featureCount), normaliser \(normaliser.dimensions), network \(network.inputs)")
        }
        for (index, layer) in network.layers.enumerated() {
            let previous = index == 0 ? width : network.layers[index - 1].outputs
            guard layer.inputs == previous, layer.weights.count == layer.inputs * layer.outputs,
                  layer.bias.count == layer.outputs
            else { throw GateError(.dimensionMismatch, "layer \(index) has inconsistent shapes") }
        }
        self.modelID = modelID
        self.embeddingDimensions = embeddingDimensions
        self.normaliser = normaliser
        self.network = network
        self.threshold = threshold
    }

    /// The unnormalised input rows for a batch (row-major, `embeddingDimensions + QualityCues.featureCount` wide).
    public static func rawRows(embeddings: [Float], cues: [QualityCues], embeddingDimensions d: Int) -> [Float] {
        var rows: [Float] = []
        rows.reserveCapacity(cues.count * (d + QualityCues.featureCount))
        for (i, c) in cues.enumerated() {
            rows.append(contentsOf: embeddings[(i * d)..<((i + 1) * d)])
            rows.append(contentsOf: c.scorerFeatures)
        }
        return rows
    }

    /// P(OOD) for a batch: `embeddings` row-major (`cues.count x embeddingDimensions`).
    ///
    /// Throws `dimensionMismatch` when the sizes disagree (client input never traps).
    public func scores(embeddings: [Float], cues: [QualityCues]) throws(GateError) -> [Float] {
        guard embeddings.count == cues.count * embeddingDimensions else {
            throw GateError(.dimensionMismatch,
                            "expected \(cues.count) x \(embeddingDimensions) embedding values, got \(embeddings.count)")
        }
        var rows = Self.rawRows(embeddings: embeddings, cues: cues, embeddingDimensions: embeddingDimensions)
        normaliser.apply(to: &rows)
        return network.logits(rows, count: cues.count).map(sigmoid)
    }
}
