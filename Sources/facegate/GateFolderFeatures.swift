import Embedding
import Foundation
import OODGate

/// Builds a gate `FeatureSet` from a labelled folder `DIR/identity/*.{jpg,png}` with the real
/// pipeline: decode, align (no hint: the image is a face crop, see `CropBox`), measure cues,
/// make `variants` seeded degraded copies of each aligned crop, embed everything in batches
/// (raw outputs: their norm is recorded as `QualityCues.embeddingNorm`, then L2-normalised).
///
/// Degradations act on the aligned crop (`Degradation.apply(to:)`), so copies need no
/// re-alignment; `downscale` also shrinks the landmarks, which the face-size cue sees.
struct GateFolderFeatures {
    /// The embedding model and its preprocessing.
    var model: FaceModel
    /// Degraded copies per image.
    var variants: Int = 2
    /// Seed of the kinds and parameters of the degradations.
    var seed: UInt64 = 6
    /// Faces per forward pass.
    var batch: Int = 16

    /// Landmarks the gate measures geometry on. dlib's predictor gives eye corners and the nose
    /// base (`AlignedFace.landmarks` is then dlib's order): eye centres are the corner midpoints.
    func gateLandmarks(_ aligned: AlignedFace) -> FaceLandmarks? {
        aligned.source == .client ? FaceLandmarks(points: aligned.landmarks) : FaceLandmarks(dlibPoints: aligned.landmarks)
    }

    /// Planar CHW input of an aligned RGB crop in the model's channel order and scaling
    /// (the same arithmetic as `FaceModel.prepare`, which does not expose it for a given crop).
    func tensor(_ image: PixelImage) -> [Float] {
        let hw = image.width * image.height
        var out = [Float](repeating: 0, count: 3 * hw)
        for plane in 0..<3 {
            let ch = model.feedsBGR ? 2 - plane : plane
            let offset = model.channelOffset[plane], factor = model.channelFactor[plane]
            for p in 0..<hw { out[plane * hw + p] = (Float(image.pixels[3 * p + ch]) - offset) * factor }
        }
        return out
    }

    /// Walks `directory`; prints progress every 200 identities. Unreadable images are counted
    /// and skipped.
    func extract(directory: String, limit: Int? = nil) throws -> FeatureSet {
        let fm = FileManager.default
        var identities = try fm.contentsOfDirectory(atPath: directory).filter {
            var isDir: ObjCBool = false
            return fm.fileExists(atPath: directory + "/" + $0, isDirectory: &isDir) && isDir.boolValue
        }.sorted()
        if let limit { identities = Array(identities.prefix(limit)) }
        var generator = SeededGenerator(seed: seed)
        let decoder = ImageDecoder()
        var records: [FeatureSet.Record] = []
        var pending: [(record: FeatureSet.Record, input: [Float])] = []
        var failures = 0
        let clock = ContinuousClock()
        let start = clock.now
        func flush() throws {
            guard !pending.isEmpty else { return }
            var data: [Float] = []
            for p in pending { data.append(contentsOf: p.input) }
            let out = try model.embedder.embed(try Tensor(batch: pending.count, shape: model.embedder.inputShape, data: data),
                                               l2Normalize: false)
            for (i, p) in pending.enumerated() {
                var r = p.record
                let raw = Array(out.sample(i))
                let norm = raw.reduce(0) { $0 + $1 * $1 }.squareRoot()
                r.embedding = raw.map { $0 / max(norm, 1e-12) }
                r.cues.embeddingNorm = norm
                records.append(r)
            }
            pending.removeAll(keepingCapacity: true)
        }
        for (n, identity) in identities.enumerated() {
            let files = try fm.contentsOfDirectory(atPath: directory + "/" + identity)
                .filter { ["jpg", "jpeg", "png"].contains(($0 as NSString).pathExtension.lowercased()) }.sorted()
            for file in files {
                let source = identity + "/" + file
                do {
                    guard let bytes = fm.contents(atPath: directory + "/" + source) else { failures += 1; continue }
                    let prepared = try model.prepare(try decoder.decode([UInt8](bytes)), hint: .none)
                    guard let landmarks = gateLandmarks(prepared.aligned) else { failures += 1; continue }
                    let sample = FaceSample(alignedFace: prepared.aligned.image, landmarks: landmarks)
                    pending.append((FeatureSet.Record(identity: identity, source: source, variant: nil, embedding: [],
                                                      cues: sample.cues), prepared.input))
                    var kinds = Degradation.Kind.allCases
                    kinds.shuffle(using: &generator)
                    for kind in kinds.prefix(variants) {
                        let bad = Degradation.random(kind, using: &generator).apply(to: sample)
                        pending.append((FeatureSet.Record(identity: identity, source: source, variant: kind, embedding: [],
                                                          cues: bad.cues), tensor(bad.alignedFace)))
                    }
                    if pending.count >= batch { try flush() }
                } catch {
                    failures += 1
                }
            }
            if n % 200 == 0 {
                FileHandle.standardError.write(Data("\(n)/\(identities.count) identities, \(records.count + pending.count) faces, \(clock.now - start)\n".utf8))
            }
        }
        try flush()
        if failures > 0 { print("skipped \(failures) unreadable images") }
        return try FeatureSet(modelID: model.identity.sha256, dimensions: model.embedder.embeddingLength, records: records)
    }
}
