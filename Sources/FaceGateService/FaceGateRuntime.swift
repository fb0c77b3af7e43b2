import Embedding
import Foundation
import FaceGateAPI
import GalleryIndex
import Logging
import OODGate

/// The loaded service: model pipeline, gate and gallery, and the per-face operations every
/// method is built from. Thread-safe.
public final class FaceGateRuntime: Sendable {
    /// Decode, align, embed, gate.
    public let pipeline: FacePipeline
    /// Store + index.
    public let gallery: Gallery
    /// Configuration in force.
    public let config: ServiceConfig
    /// Metrics.
    public let metrics: ServiceMetrics
    let logger: Logger
    let streamIDs = IDSource()

    /// Assembles a runtime from loaded parts.
    public init(pipeline: FacePipeline, gallery: Gallery, config: ServiceConfig, metrics: ServiceMetrics, logger: Logger) {
        self.pipeline = pipeline
        self.gallery = gallery
        self.config = config
        self.metrics = metrics
        self.logger = logger
    }

    /// Loads model, gate and gallery as configured.
    /// - Throws: `ModelError`, `EngineError`, `GateError` or `GalleryError` with a clear message.
    public static func load(config: ServiceConfig, metrics: ServiceMetrics, logger: Logger) async throws -> FaceGateRuntime {
        var engine = Embedder.Config()
        engine.threads = config.model.engineThreads
        // The server never downloads: `facegate model fetch` (run by `make run`) fills the cache.
        var cacheConfig = ModelCache.Config(directory: config.model.cacheDirectory.map { URL(fileURLWithPath: $0) })
        cacheConfig.allowDownload = false
        let cache = ModelCache(config: cacheConfig, logger: logger)
        let model = try ModelRegistry(cache: cache, engine: engine).load(config.model.nameOrPath)
        var gate = OODGate.Gate.default
        if let file = config.gate.file {
            gate = try GateFile.read(from: file, expectedModelID: model.identity.sha256)
        }
        gate.policy = config.gate.policy
        let threshold = config.gallery.threshold ?? ServiceConfig.Gallery.defaultThreshold(for: model.identity)
        let gallery = try Gallery(
            path: config.gallery.path, model: model.identity, dimension: model.embedder.embeddingLength,
            pruning: config.gallery.pruning, threshold: threshold, logger: logger)
        let pipeline = FacePipeline(model: model, gate: gate, config: config, metrics: metrics, logger: logger)
        logger.info(
            "model loaded",
            metadata: [
                "model": "\(model.identity)", "dimension": "\(model.embedder.embeddingLength)",
                "threshold": "\(threshold)", "gate": "\(config.gate.file ?? "default cue limits")",
                "policy": "\(gate.policy.rawValue)",
            ])
        let runtime = FaceGateRuntime(pipeline: pipeline, gallery: gallery, config: config, metrics: metrics, logger: logger)
        await runtime.refreshGalleryGauges()
        return runtime
    }

    /// The model id recorded with every embedding.
    public var modelID: String { pipeline.model.identity.description }

    /// A new stream id for fair batching.
    func newStreamID() -> UInt64 { streamIDs.next() }

    // MARK: Per-face operations

    /// Embeds one face.
    func embed(_ request: EmbedRequest, stream: UInt64, deadline: ContinuousClock.Instant?) async throws(ServiceError) -> EmbedResponse {
        let clock = ContinuousClock()
        let started = clock.now
        let face = try await pipeline.process(request.face, stream: stream, deadline: deadline)
        var response = EmbedResponse()
        response.requestID = request.requestID
        response.embedding = face.embedding
        response.modelID = modelID
        response.ood = Self.verdictMessage(face.verdict)
        response.landmarks = face.landmarks.map { APIPoint(x: $0.x, y: $0.y) }
        var timing = face.timing
        timing.totalUs = (clock.now - started).microseconds
        response.timing = timing
        return response
    }

    /// Identifies one face: REJECTED (gate), MATCH or UNKNOWN (open set).
    func classify(_ request: ClassifyRequest, stream: UInt64, deadline: ContinuousClock.Instant?) async throws(ServiceError) -> ClassifyResponse {
        let clock = ContinuousClock()
        let started = clock.now
        let topK = request.topK == 0 ? config.gallery.defaultTopK : request.topK
        guard topK <= config.gallery.maxTopK else {
            throw ServiceError(.invalidArgument, "top_k \(request.topK) exceeds the limit \(config.gallery.maxTopK)")
        }
        let face = try await pipeline.process(request.face, stream: stream, deadline: deadline)
        var response = ClassifyResponse()
        response.requestID = request.requestID
        response.ood = Self.verdictMessage(face.verdict)
        response.threshold = gallery.policy.threshold
        var timing = face.timing
        if !face.verdict.accepted {
            response.decision = .rejected
            for reason in face.verdict.reasons { metrics.recordReject(reason: reason.description) }
        } else {
            let searchStart = clock.now
            let identification: Identification
            do {
                identification = try await gallery.identify(face.embedding, topK: topK)
            } catch {
                throw ServiceError(error)
            }
            timing.searchUs = (clock.now - searchStart).microseconds
            response.decision = identification.decision == .match ? .match : .unknown
            response.candidates = await candidates(identification.candidates)
        }
        metrics.recordDecision(Self.decisionLabel(response.decision))
        timing.totalUs = (clock.now - started).microseconds
        response.timing = timing
        return response
    }

    /// Wire candidates with names and scores.
    func candidates(_ ranked: [Candidate]) async -> [CandidateMessage] {
        var out: [CandidateMessage] = []
        for candidate in ranked {
            out.append(
                CandidateMessage(
                    identityID: String(candidate.identity), displayName: await gallery.displayName(of: candidate.identity),
                    distance: candidate.distance, score: Self.score(distance: candidate.distance),
                    faceID: candidate.face.map(String.init) ?? ""))
        }
        return out
    }

    /// Updates the gallery gauges from the store.
    func refreshGalleryGauges() async {
        guard let summary = try? await gallery.summary() else { return }
        metrics.galleryIdentities.record(summary.identities)
        metrics.galleryFaces.record(summary.faces)
    }

    // MARK: Mapping

    /// Cosine similarity of two unit vectors at Euclidean distance `d`, clamped to 0...1.
    static func score(distance d: Float) -> Float {
        min(1, max(0, 1 - d * d / 2))
    }

    static func decisionLabel(_ decision: FaceGateAPI.Decision) -> String {
        switch decision {
        case .match: "match"
        case .unknown: "unknown"
        case .rejected: "rejected"
        case .unspecified: "error"
        }
    }

    /// The gate's verdict as a wire message.
    static func verdictMessage(_ verdict: GateVerdict) -> OODVerdictMessage {
        var cues: QualityCuesMessage? = nil
        if let c = verdict.cues {
            var m = QualityCuesMessage()
            m.faceSizePx = c.faceSizePx
            m.sharpness = c.sharpness
            m.brightness = c.brightness
            m.clippedDarkFraction = c.clippedDarkFraction
            m.clippedBrightFraction = c.clippedBrightFraction
            m.contrast = c.contrast
            m.rollDeg = c.rollDegrees
            m.yawProxy = c.yawProxy
            m.landmarkConfidence = c.landmarkConfidence
            cues = m
        }
        return OODVerdictMessage(
            accepted: verdict.accepted, oodScore: verdict.oodScore, threshold: verdict.threshold,
            reasons: verdict.reasons.compactMap { FaceGateAPI.RejectReason(rawValue: $0.rawValue) }, cues: cues)
    }
}
