/// The gate file: a trained (or default) gate tied to one embedding model.
///
/// Layout, little-endian: `"FGGT"`, u32 version (1 or 2), u8 has-scorer, string model id
/// (u32 length + UTF-8), u32 limit count (10) + f32 cue limits; when a scorer is present:
/// u32 embedding width, u32 cue feature count (10), then in version 2 only: u32 typicality
/// feature count (0 or 2) and, when 2, f32 typicality mean (width) and precision (width²);
/// f32 threshold, f32 normaliser means and inverse deviations (input width each), in version 2
/// only a u32 ensemble size; then per network u32 layer count and per layer u32 inputs,
/// u32 outputs, f32 weights (row-major) and f32 biases; last, u64 FNV-1a of every preceding
/// byte. A single-network scorer without typicality is written as version 1 (readable by
/// session-1 builds). The policy is configuration, not part of the file.
public enum GateFile {
    /// Format tag at offset 0.
    public static let tag = "FGGT"
    /// Newest format version (written when a scorer has typicality features or an ensemble).
    public static let version: UInt32 = 2

    /// Encodes a gate; `modelID` is the scorer's (or the given one for a cue-only gate).
    public static func encode(_ gate: Gate, modelID: String = "") -> [UInt8] {
        var w = ByteWriter()
        let v: UInt32 = gate.scorer.map { $0.typicality == nil && $0.networks.count == 1 } ?? true ? 1 : version
        w.tag(tag)
        w.u32(v)
        w.u8(gate.scorer == nil ? 0 : 1)
        w.string(gate.scorer?.modelID ?? modelID)
        w.u32(UInt32(CueThresholds.count))
        w.f32s(gate.limits.values)
        if let s = gate.scorer {
            w.u32(UInt32(s.embeddingDimensions))
            w.u32(UInt32(QualityCues.featureCount))
            if v >= 2 {
                w.u32(UInt32(s.typicality == nil ? 0 : EmbeddingTypicality.featureCount))
                if let t = s.typicality {
                    w.f32s(t.mean)
                    w.f32s(t.precision)
                }
            }
            w.f32(s.threshold)
            w.f32s(s.normaliser.mean)
            w.f32s(s.normaliser.inverseStd)
            if v >= 2 { w.u32(UInt32(s.networks.count)) }
            for network in s.networks {
                w.u32(UInt32(network.layers.count))
                for layer in network.layers {
                    w.u32(UInt32(layer.inputs))
                    w.u32(UInt32(layer.outputs))
                    w.f32s(layer.weights)
                    w.f32s(layer.bias)
                }
            }
        }
        w.u64(fnv1a64(w.bytes[...]))
        return w.bytes
    }

    /// Decodes a gate; `file` names the source in errors. `policy` is set on the result.
    ///
    /// - Throws: `malformedFile` (with the offset), `unsupportedVersion`, or `modelMismatch`
    ///   when `expectedModelID` is given and the file's scorer was trained for another model.
    public static func decode(_ bytes: [UInt8], file: String, expectedModelID: String? = nil,
                              policy: GatePolicy = .exclude) throws(GateError) -> Gate {
        var r = ByteReader(bytes: bytes, file: file)
        try r.tag(tag)
        let versionOffset = r.offset
        let v = try r.u32("version")
        guard v == 1 || v == version else {
            throw GateError(.unsupportedVersion, "\(file): gate format version \(v) at offset \(versionOffset), this build reads \(version)")
        }
        guard bytes.count >= 8 + 9 else { throw r.failure("file too short for a checksum", at: bytes.count) }
        let bodyEnd = bytes.count - 8
        var check = ByteReader(bytes: Array(bytes[bodyEnd...]), file: file)
        let stored = try check.u64("checksum")
        guard stored == fnv1a64(bytes[..<bodyEnd]) else {
            throw r.failure("checksum mismatch (file truncated or corrupted)", at: bodyEnd)
        }
        r = ByteReader(bytes: Array(bytes[..<bodyEnd]), file: file)
        try r.tag(tag)
        _ = try r.u32("version")
        let flagOffset = r.offset
        let hasScorer = try r.u8("scorer flag")
        guard hasScorer <= 1 else { throw r.failure("scorer flag \(hasScorer) is not 0 or 1", at: flagOffset) }
        let modelID = try r.string("model id", maxBytes: 4096)
        _ = try r.count("cue limit count", in: CueThresholds.count...CueThresholds.count)
        guard let limits = CueThresholds(values: try r.f32s(CueThresholds.count, "cue limits")) else {
            throw r.failure("cue limits")
        }
        var scorer: GateScorer?
        if hasScorer == 1 {
            if let expectedModelID, expectedModelID != modelID {
                throw GateError(.modelMismatch, "\(file): gate was trained for model '\(modelID)', the server runs '\(expectedModelID)'")
            }
            let dims = try r.count("embedding width", in: 1...65_536)
            _ = try r.count("cue feature count", in: QualityCues.featureCount...QualityCues.featureCount)
            var typicality: EmbeddingTypicality?
            if v >= 2 {
                let at = r.offset
                let extra = try r.u32("typicality feature count")
                guard extra == 0 || Int(extra) == EmbeddingTypicality.featureCount else {
                    throw r.failure("typicality feature count \(extra) is not 0 or \(EmbeddingTypicality.featureCount)", at: at)
                }
                if extra > 0 {
                    guard dims <= 4096 else { throw r.failure("typicality for \(dims)-d embeddings is too large", at: at) }
                    let mean = try r.f32s(dims, "typicality mean")
                    let precision = try r.f32s(dims * dims, "typicality precision")
                    do { typicality = try EmbeddingTypicality(mean: mean, precision: precision) } catch { throw r.failure(error.message, at: at) }
                }
            }
            let threshold = try r.f32("threshold")
            let width = GateScorer.inputWidth(embeddingDimensions: dims, typicality: typicality != nil)
            let normaliser = FeatureNormaliser(mean: try r.f32s(width, "normaliser means"),
                                               inverseStd: try r.f32s(width, "normaliser deviations"))
            let networkCount = try v >= 2 ? r.count("ensemble size", in: 1...32) : 1
            var networks: [MLP] = []
            for member in 0..<networkCount {
                let layerCount = try r.count("network \(member) layer count", in: 1...16)
                var layers: [MLP.Layer] = []
                var previous = width
                for index in 0..<layerCount {
                    let at = r.offset
                    let inputs = try r.count("layer \(index) inputs", in: 1...65_536)
                    let outputs = try r.count("layer \(index) outputs", in: 1...4096)
                    guard inputs == previous else { throw r.failure("layer \(index) takes \(inputs) inputs, previous gives \(previous)", at: at) }
                    let weights = try r.f32s(inputs * outputs, "layer \(index) weights")
                    let bias = try r.f32s(outputs, "layer \(index) biases")
                    layers.append(MLP.Layer(inputs: inputs, outputs: outputs, weights: weights, bias: bias))
                    previous = outputs
                }
                guard previous == 1 else { throw r.failure("network \(member): last layer has \(previous) outputs, expected 1") }
                networks.append(MLP(layers: layers))
            }
            do {
                scorer = try GateScorer(modelID: modelID, embeddingDimensions: dims, normaliser: normaliser,
                                        networks: networks, typicality: typicality, threshold: threshold)
            } catch {
                throw r.failure(error.message)
            }
        }
        guard r.remaining == 0 else { throw r.failure("\(r.remaining) unexpected trailing bytes") }
        return Gate(limits: limits, scorer: scorer, policy: policy)
    }

    /// Writes `gate` to `path` atomically.
    public static func write(_ gate: Gate, to path: String, modelID: String = "") throws(GateError) {
        try writeWholeFile(path, encode(gate, modelID: modelID))
    }

    /// Reads a gate from `path`; see `decode` for what it throws.
    public static func read(from path: String, expectedModelID: String? = nil,
                            policy: GatePolicy = .exclude) throws(GateError) -> Gate {
        try decode(try readWholeFile(path), file: path, expectedModelID: expectedModelID, policy: policy)
    }
}
