import Dispatch
import Embedding
import FaceGateAPI
import Logging
import OODGate

/// One face taken from bytes on the wire to an embedding and a gate verdict.
public struct ProcessedFace: Sendable {
    /// L2-normalised embedding.
    public var embedding: [Float]
    /// The gate's verdict.
    public var verdict: GateVerdict
    /// The five points used for alignment (API order; mouth corners estimated when the
    /// predictor gives only eyes and nose).
    public var landmarks: [Point2]
    /// Where the time went (search and total are filled in by the caller).
    public var timing: TimingMessage
}

/// One face's result from an engine batch.
public struct EngineOutput: Sendable {
    /// The raw (not yet normalised) embedding.
    public var embedding: [Float]
    /// When its batch's forward pass started.
    public var batchStarted: ContinuousClock.Instant
    /// Its share of the forward pass: batch time / batch size, microseconds.
    public var shareUs: UInt32
}

/// The batcher between the face pipeline and the engine.
public typealias FaceBatcher = Batcher<PreparedFace, EngineOutput>

/// The per-face work of every method: decode, align, measure cues, embed (batched across all
/// calls), gate. Decode and align run in the caller's task, so faces of concurrent calls are
/// prepared in parallel while the engine runs the previous batch on its own thread.
public final class FacePipeline: Sendable {
    /// The loaded model.
    public let model: FaceModel
    /// The OOD gate.
    public let gate: Gate
    private let decoder: ImageDecoder
    private let batcher: FaceBatcher
    private let metrics: ServiceMetrics
    private let maxOutOfFrameFraction: Float

    /// Creates the pipeline and starts its batcher; the engine runs on a dedicated thread so
    /// that a forward pass never blocks Swift's cooperative pool.
    public init(model: FaceModel, gate: Gate, config: ServiceConfig, metrics: ServiceMetrics, logger: Logger) {
        self.model = model
        self.gate = gate
        self.metrics = metrics
        maxOutOfFrameFraction = config.limits.maxOutOfFrameFraction
        var decoderConfig = ImageDecoder.Config()
        decoderConfig.maxPixels = config.limits.maxImagePixels
        decoder = ImageDecoder(config: decoderConfig)
        // Concurrent: the batcher bounds how many batches run at once (`maxConcurrentBatches`).
        let engineQueue = DispatchQueue(label: "facegate.engine", qos: .userInitiated, attributes: .concurrent)
        batcher = Batcher(config: config.batching, logger: logger) { faces in
            metrics.batchSize.record(faces.count)
            return try await withCheckedThrowingContinuation { continuation in
                engineQueue.async {
                    let started = ContinuousClock.now
                    continuation.resume(with: Result {
                        let embeddings = try model.embed(faces, l2Normalize: false)
                        let share = (ContinuousClock.now - started).microseconds / UInt32(max(1, faces.count))
                        return embeddings.map { EngineOutput(embedding: $0, batchStarted: started, shareUs: share) }
                    })
                }
            }
        }
    }

    /// Decodes a face image (header-checked pixel limit first).
    func decode(_ input: FaceInput) throws -> PixelImage {
        switch input.image {
        case .encoded(let bytes):
            return try decoder.decode(bytes)
        case .raw(let raw):
            let layout: Embedding.RawPixels.Layout =
                switch raw.format {
                case .rgb8: .rgb
                case .bgr8: .bgr
                case .gray8: .gray
                case .rgba8: .rgba
                case .bgra8: .bgra
                }
            return try Embedding.RawPixels(
                width: raw.width, height: raw.height, layout: layout, rowStride: raw.rowStrideBytes, bytes: raw.pixels
            ).image(maxPixels: decoder.config.maxPixels)
        }
    }

    /// Processes one face.
    /// - Parameters:
    ///   - stream: the calling stream's id (fair batching).
    ///   - deadline: the call's deadline; the face is dropped if its batch starts later.
    /// - Throws: `ServiceError` (bad image, overload, deadline, cancellation, engine failure).
    public func process(
        _ input: FaceInput, stream: UInt64, deadline: ContinuousClock.Instant?
    ) async throws(ServiceError) -> ProcessedFace {
        let clock = ContinuousClock()
        var timing = TimingMessage()
        let started = clock.now
        do {
            let image = try decode(input)
            let decoded = clock.now
            timing.decodeUs = (decoded - started).microseconds
            let prepared = try model.prepare(image, hint: try hint(for: input))
            let landmarks = gateLandmarks(prepared.aligned)
            var cues = [QualityCues(alignedFace: prepared.aligned.image, landmarks: FaceLandmarks(points: landmarks)!)]
            let aligned = clock.now
            timing.alignUs = (aligned - decoded).microseconds
            let output = try await batcher.submit(prepared, stream: stream, deadline: deadline)
            var embedding = output.embedding
            timing.queueUs = (max(output.batchStarted, aligned) - aligned).microseconds
            timing.embedUs = output.shareUs
            let gateStart = clock.now
            // The raw output's norm is a gate cue; the embedding leaves here L2-normalised.
            try QualityCues.attachEmbeddingNorms(&cues, normalising: &embedding, dimensions: embedding.count)
            var verdict = try gate.evaluate(embeddings: embedding, cues: cues)[0]
            applyFrameCheck(&verdict, aligned: prepared.aligned, landmarks: landmarks, image: image)
            timing.gateUs = (clock.now - gateStart).microseconds
            return ProcessedFace(embedding: embedding, verdict: verdict, landmarks: landmarks, timing: timing)
        } catch let failure as FaceBatcher.Failure {
            switch failure {
            case .overloaded: metrics.recordDropped("shed")
            case .deadlineExceeded: metrics.recordDropped("deadline")
            case .cancelled: metrics.recordDropped("cancelled")
            default: break
            }
            throw ServiceError(failure)
        } catch {
            throw ServiceError(error)
        }
    }

    /// The client's hint: landmarks win over a box.
    private func hint(for input: FaceInput) throws(ServiceError) -> FaceHint {
        if let points = input.landmarks {
            guard let five = FiveLandmarks(points.map { Point2(x: $0.x, y: $0.y) }) else {
                throw ServiceError(.invalidArgument, "face.landmarks must be 5 finite points")
            }
            return .landmarks(five)
        }
        if let box = input.box {
            let left = Int(box.x.rounded(.down))
            let top = Int(box.y.rounded(.down))
            let faceBox = Embedding.FaceBox(
                left: left, top: top, right: left + max(1, Int(box.width.rounded())) - 1,
                bottom: top + max(1, Int(box.height.rounded())) - 1)
            return .box(faceBox)
        }
        return .none
    }

    /// The alignment landmarks in API order with all five points (the gate's geometry cues).
    ///
    /// dlib's predictor gives eye corners and the nose base: eyes become corner midpoints;
    /// predictors without mouth corners get them estimated from the eye line and the nose
    /// (only the gate's size and pose cues read them, which use eyes and nose).
    func gateLandmarks(_ aligned: AlignedFace) -> [Point2] {
        var points = aligned.landmarks
        if case .dlib = model.alignment, points.count == 5 {
            func mid(_ a: Point2, _ b: Point2) -> Point2 { Point2(x: (a.x + b.x) / 2, y: (a.y + b.y) / 2) }
            points = [mid(points[2], points[3]), mid(points[0], points[1]), points[4]]
        }
        if points.count == 3 {
            let (left, right, nose) = (points[0], points[1], points[2])
            let eyeMid = Point2(x: (left.x + right.x) / 2, y: (left.y + right.y) / 2)
            let down = Point2(x: nose.x - eyeMid.x, y: nose.y - eyeMid.y)
            func mouth(_ eye: Point2) -> Point2 {
                Point2(x: nose.x + 0.8 * (eye.x - eyeMid.x) + 0.6 * down.x, y: nose.y + 0.8 * (eye.y - eyeMid.y) + 0.6 * down.y)
            }
            points += [mouth(left), mouth(right)]
        }
        return points
    }

    /// Rejects a face that lies partly outside the image (reason `occluded`): the gate's cues
    /// see only the pixels that exist, so a half face at the frame edge can look fine to them.
    /// The face region is the landmark predictor's box, or the landmarks' extent.
    func applyFrameCheck(_ verdict: inout GateVerdict, aligned: AlignedFace, landmarks: [Point2], image: PixelImage) {
        guard maxOutOfFrameFraction < 1 else { return }
        let (left, top, right, bottom): (Float, Float, Float, Float)
        if let box = aligned.box {
            (left, top, right, bottom) = (Float(box.left), Float(box.top), Float(box.right + 1), Float(box.bottom + 1))
        } else {
            let xs = landmarks.map(\.x), ys = landmarks.map(\.y)
            let side = max((xs.max() ?? 0) - (xs.min() ?? 0), (ys.max() ?? 0) - (ys.min() ?? 0)) * 0.6
            (left, top, right, bottom) = ((xs.min() ?? 0) - side, (ys.min() ?? 0) - side, (xs.max() ?? 0) + side, (ys.max() ?? 0) + side)
        }
        let area = max(1, (right - left) * (bottom - top))
        let insideWidth = max(0, min(right, Float(image.width)) - max(left, 0))
        let insideHeight = max(0, min(bottom, Float(image.height)) - max(top, 0))
        let outside = 1 - insideWidth * insideHeight / area
        guard outside > maxOutOfFrameFraction else { return }
        if !verdict.reasons.contains(.occluded) { verdict.reasons.append(.occluded) }
        verdict.isOutOfDistribution = true
        if gate.policy == .exclude { verdict.accepted = false }
    }

    /// Faces waiting for a batch.
    public func queuedFaces() async -> Int {
        await batcher.queuedCount()
    }

    /// Batcher counters.
    public func batchStatistics() async -> FaceBatcher.Statistics {
        await batcher.statistics()
    }

    /// Stops the batcher (queued faces fail with UNAVAILABLE).
    public func shutDown() async {
        await batcher.shutDown()
    }
}

extension Duration {
    /// Whole microseconds, clamped to `UInt32`.
    var microseconds: UInt32 {
        let (seconds, attoseconds) = components
        let us = seconds * 1_000_000 + attoseconds / 1_000_000_000_000
        return UInt32(clamping: max(0, us))
    }
}
