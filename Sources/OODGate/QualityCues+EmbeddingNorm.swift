extension QualityCues {
    /// L2-normalises a batch of raw embeddings in place and records each one's norm in the
    /// matching cues (`embeddingNorm`): the service's step between the engine (asked for raw
    /// outputs) and `Gate.evaluate`.
    ///
    /// - Parameters:
    ///   - cues: one per face; `embeddingNorm` is overwritten.
    ///   - embeddings: row-major `cues.count x dimensions` raw outputs, normalised on return
    ///     (an all-zero row stays zero).
    /// - Throws: `dimensionMismatch` when the sizes disagree.
    public static func attachEmbeddingNorms(_ cues: inout [QualityCues], normalising embeddings: inout [Float],
                                            dimensions: Int) throws(GateError) {
        guard dimensions > 0, embeddings.count == cues.count * dimensions else {
            throw GateError(.dimensionMismatch, "expected \(cues.count) x \(dimensions) embedding values, got \(embeddings.count)")
        }
        for i in cues.indices {
            let row = (i * dimensions)..<((i + 1) * dimensions)
            let norm = embeddings[row].reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
            cues[i].embeddingNorm = norm
            if norm > 0 {
                for j in row { embeddings[j] /= norm }
            }
        }
    }
}
