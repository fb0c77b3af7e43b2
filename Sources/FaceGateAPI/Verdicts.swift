import CFaceGateProto

/// Why a face was judged out of distribution (mirrors `facegate.v1.RejectReason`).
public enum RejectReason: Int, Sendable, CaseIterable {
    case blurry = 1, tooSmall, tooDark, tooBright, lowContrast, occluded, pose, outOfDistribution, noFace

    init(c: Facegate__V1__RejectReason) throws(FaceGateAPIError) {
        guard let reason = RejectReason(rawValue: Int(c.rawValue)) else {
            throw FaceGateAPIError(.invalidArgument, "unknown reject reason \(c.rawValue)")
        }
        self = reason
    }

    var c: Facegate__V1__RejectReason { Facegate__V1__RejectReason(rawValue: UInt32(rawValue)) }
}

/// The identification decision (mirrors `facegate.v1.Decision`).
public enum Decision: Int, Sendable, CaseIterable {
    case unspecified = 0, match, unknown, rejected
}

/// Image-quality measurements of one aligned face.
public struct QualityCuesMessage: Sendable, Equatable, ProtoCMessage {
    public var faceSizePx: Float = 0
    public var sharpness: Float = 0
    public var brightness: Float = 0
    public var clippedDarkFraction: Float = 0
    public var clippedBrightFraction: Float = 0
    public var contrast: Float = 0
    public var rollDeg: Float = 0
    public var yawProxy: Float = 0
    public var landmarkConfidence: Float = 0

    /// All zero.
    public init() {}

    public static let cInit = facegate__v1__quality_cues__init

    public init(c: Facegate__V1__QualityCues) {
        faceSizePx = c.face_size_px
        sharpness = c.sharpness
        brightness = c.brightness
        clippedDarkFraction = c.clipped_dark_fraction
        clippedBrightFraction = c.clipped_bright_fraction
        contrast = c.contrast
        rollDeg = c.roll_deg
        yawProxy = c.yaw_proxy
        landmarkConfidence = c.landmark_confidence
    }

    public func fill(_ c: inout Facegate__V1__QualityCues, arena: ProtoArena) {
        c.face_size_px = faceSizePx
        c.sharpness = sharpness
        c.brightness = brightness
        c.clipped_dark_fraction = clippedDarkFraction
        c.clipped_bright_fraction = clippedBrightFraction
        c.contrast = contrast
        c.roll_deg = rollDeg
        c.yaw_proxy = yawProxy
        c.landmark_confidence = landmarkConfidence
    }
}

/// The OOD gate's verdict as sent on the wire.
public struct OODVerdictMessage: Sendable, Equatable, ProtoCMessage {
    /// False when the face is out of distribution.
    public var accepted: Bool
    /// Estimated probability that the face is OOD, 0...1.
    public var oodScore: Float
    /// The operating threshold on `oodScore`.
    public var threshold: Float
    /// Empty when accepted.
    public var reasons: [RejectReason]
    /// The measured cues.
    public var cues: QualityCuesMessage?

    /// Creates a verdict.
    public init(accepted: Bool, oodScore: Float, threshold: Float, reasons: [RejectReason] = [], cues: QualityCuesMessage? = nil) {
        self.accepted = accepted
        self.oodScore = oodScore
        self.threshold = threshold
        self.reasons = reasons
        self.cues = cues
    }

    public static let cInit = facegate__v1__ood_verdict__init

    public init(c: Facegate__V1__OodVerdict) throws(FaceGateAPIError) {
        var reasons: [RejectReason] = []
        for raw in ProtoRead.scalars(c.n_reasons, c.reasons) { reasons.append(try RejectReason(c: raw)) }
        self.init(
            accepted: c.accepted != 0, oodScore: c.ood_score, threshold: c.threshold, reasons: reasons,
            cues: c.cues.map { QualityCuesMessage(c: $0.pointee) })
    }

    public func fill(_ c: inout Facegate__V1__OodVerdict, arena: ProtoArena) {
        c.accepted = accepted ? 1 : 0
        c.ood_score = oodScore
        c.threshold = threshold
        (c.n_reasons, c.reasons) = arena.scalars(reasons.map(\.c))
        if let cues { c.cues = arena.nested(cues) }
    }
}

/// Where the time went for one face, microseconds.
public struct TimingMessage: Sendable, Equatable, ProtoCMessage {
    public var decodeUs: UInt32 = 0
    public var alignUs: UInt32 = 0
    public var queueUs: UInt32 = 0
    public var embedUs: UInt32 = 0
    public var gateUs: UInt32 = 0
    public var searchUs: UInt32 = 0
    public var totalUs: UInt32 = 0

    /// All zero.
    public init() {}

    public static let cInit = facegate__v1__timing__init

    public init(c: Facegate__V1__Timing) {
        decodeUs = c.decode_us
        alignUs = c.align_us
        queueUs = c.queue_us
        embedUs = c.embed_us
        gateUs = c.gate_us
        searchUs = c.search_us
        totalUs = c.total_us
    }

    public func fill(_ c: inout Facegate__V1__Timing, arena: ProtoArena) {
        c.decode_us = decodeUs
        c.align_us = alignUs
        c.queue_us = queueUs
        c.embed_us = embedUs
        c.gate_us = gateUs
        c.search_us = searchUs
        c.total_us = totalUs
    }
}

/// A per-face failure inside a stream: a gRPC status code number and a message.
public struct FaceErrorMessage: Sendable, Equatable, ProtoCMessage {
    /// gRPC status code number (3 = INVALID_ARGUMENT, 8 = RESOURCE_EXHAUSTED, ...).
    public var code: UInt32
    /// Human-readable explanation.
    public var message: String

    /// Creates a per-face error.
    public init(code: UInt32, message: String) {
        self.code = code
        self.message = message
    }

    public static let cInit = facegate__v1__face_error__init

    public init(c: Facegate__V1__FaceError) throws(FaceGateAPIError) {
        self.init(code: c.code, message: try ProtoRead.string(c.message, field: "error.message"))
    }

    public func fill(_ c: inout Facegate__V1__FaceError, arena: ProtoArena) {
        c.code = code
        c.message = arena.string(message)
    }
}
