/// Precomputed embeddings and cues of a labelled face folder (`DIR/identity/*.jpg`), plus
/// the synthetic degradations of each image: the input of `train-gate` and `eval gate`.
///
/// Written by whatever runs the embedding pipeline (`facegate embed`, or the reference script
/// `scripts/reference-gate-features.py`), so the gate's training needs no engine of its own.
///
/// File layout, little-endian: `"FGFS"`, u32 version (1), string model id (u32 length + UTF-8),
/// u32 embedding width, u32 cue count (10; 9 = without the embedding norm), u32 record count, then per record: string identity,
/// string source (e.g. the relative image path), u8 variant (0 = the original image, else a
/// `Degradation.Kind` raw value), f32 embedding, f32 cues (`QualityCues.values` order);
/// last, u64 FNV-1a of every preceding byte.
public struct FeatureSet: Sendable, Equatable {
    /// One face: an original image or a degraded copy of one.
    public struct Record: Sendable, Equatable {
        /// Identity (folder name).
        public var identity: String
        /// Source image (path relative to the folder); degraded copies share their original's.
        public var source: String
        /// Nil for the original, else the degradation applied.
        public var variant: Degradation.Kind?
        /// The embedding (`dimensions` values, L2-normalised by the engine).
        public var embedding: [Float]
        /// The cues measured on the (degraded) face.
        public var cues: QualityCues

        /// Creates a record.
        public init(identity: String, source: String, variant: Degradation.Kind?, embedding: [Float], cues: QualityCues) {
            self.identity = identity
            self.source = source
            self.variant = variant
            self.embedding = embedding
            self.cues = cues
        }
    }

    /// Format tag at offset 0.
    public static let tag = "FGFS"
    /// Current format version.
    public static let version: UInt32 = 1

    /// The embedding model the features come from.
    public var modelID: String
    /// Embedding width.
    public var dimensions: Int
    /// The faces.
    public var records: [Record]

    /// Creates a set; throws `dimensionMismatch` when a record's embedding has another width.
    public init(modelID: String, dimensions: Int, records: [Record]) throws(GateError) {
        guard dimensions > 0 else { throw GateError(.dimensionMismatch, "embedding width must be positive") }
        if let bad = records.firstIndex(where: { $0.embedding.count != dimensions }) {
            throw GateError(.dimensionMismatch, "record \(bad) has \(records[bad].embedding.count) values, expected \(dimensions)")
        }
        self.modelID = modelID
        self.dimensions = dimensions
        self.records = records
    }

    /// Encodes the set.
    public func encode() -> [UInt8] {
        var w = ByteWriter()
        w.tag(Self.tag)
        w.u32(Self.version)
        w.string(modelID)
        w.u32(UInt32(dimensions))
        w.u32(UInt32(QualityCues.count))
        w.u32(UInt32(records.count))
        for r in records {
            w.string(r.identity)
            w.string(r.source)
            w.u8(r.variant?.rawValue ?? 0)
            w.f32s(r.embedding)
            w.f32s(r.cues.values)
        }
        w.u64(fnv1a64(w.bytes[...]))
        return w.bytes
    }

    /// Decodes a set; errors name `file` and the byte offset.
    public static func decode(_ bytes: [UInt8], file: String) throws(GateError) -> FeatureSet {
        var r = ByteReader(bytes: bytes, file: file)
        try r.tag(tag)
        let at = r.offset
        let v = try r.u32("version")
        guard v == version else {
            throw GateError(.unsupportedVersion, "\(file): feature format version \(v) at offset \(at), this build reads \(version)")
        }
        guard bytes.count >= 16 else { throw r.failure("file too short for a checksum", at: bytes.count) }
        let bodyEnd = bytes.count - 8
        var check = ByteReader(bytes: Array(bytes[bodyEnd...]), file: file)
        guard try check.u64("checksum") == fnv1a64(bytes[..<bodyEnd]) else {
            throw r.failure("checksum mismatch (file truncated or corrupted)", at: bodyEnd)
        }
        r = ByteReader(bytes: Array(bytes[..<bodyEnd]), file: file)
        try r.tag(tag)
        _ = try r.u32("version")
        let modelID = try r.string("model id", maxBytes: 4096)
        let dims = try r.count("embedding width", in: 1...65_536)
        let cueCount = try r.count("cue count", in: (QualityCues.count - 1)...QualityCues.count)
        let count = try r.count("record count", in: 0...50_000_000)
        // Each record needs at least 9 bytes of header plus its floats: reject impossible counts early.
        try r.need(count * (9 + 4 * (dims + cueCount)), "records")
        var records: [Record] = []
        records.reserveCapacity(count)
        for index in 0..<count {
            let identity = try r.string("record \(index) identity", maxBytes: 4096)
            let source = try r.string("record \(index) source", maxBytes: 4096)
            let variantAt = r.offset
            let raw = try r.u8("record \(index) variant")
            var variant: Degradation.Kind?
            if raw != 0 {
                guard let kind = Degradation.Kind(rawValue: raw) else {
                    throw r.failure("record \(index) has unknown variant \(raw)", at: variantAt)
                }
                variant = kind
            }
            let embedding = try r.f32s(dims, "record \(index) embedding")
            guard let cues = QualityCues(values: try r.f32s(cueCount, "record \(index) cues")) else {
                throw r.failure("record \(index) cues")
            }
            records.append(Record(identity: identity, source: source, variant: variant, embedding: embedding, cues: cues))
        }
        guard r.remaining == 0 else { throw r.failure("\(r.remaining) unexpected trailing bytes") }
        return try FeatureSet(modelID: modelID, dimensions: dims, records: records)
    }

    /// Reads a set from `path`.
    public static func read(from path: String) throws(GateError) -> FeatureSet {
        try decode(try readWholeFile(path), file: path)
    }

    /// Writes the set to `path` atomically.
    public func write(to path: String) throws(GateError) {
        try writeWholeFile(path, encode())
    }
}
