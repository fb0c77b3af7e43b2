import Foundation

/// Hard limits on quality cues: a face outside any of them is out of distribution, with the
/// reason the limit names. The whole gate of a fresh install, and a safety net under a
/// trained scorer.
///
/// `init()` gives the limits for 112x112 ArcFace-template crops; `dlibChip` those for dlib's
/// 150x150 chip (the default model), whose sharpness runs lower. Both come from lfw-dev (4,485
/// faces; docs/ood-gate.md): each limit sits below the 0.5% quantile of the good faces (so each
/// cue alone refuses well under 1% of them) and beyond most of the synthetic junk. Landmark
/// confidence is YuNet's face score; a pipeline without one reports 0 and the limit is skipped.
public struct CueThresholds: Sendable, Equatable {
    /// Below this inter-ocular distance in the source image (pixels): `tooSmall`.
    public var minFaceSizePx: Float = 16
    /// Below this variance of the Laplacian: `blurry`.
    public var minSharpness: Float = 15
    /// Below this mean grey level: `tooDark`.
    public var minBrightness: Float = 35
    /// Above this fraction of black-clipped pixels: `tooDark`.
    public var maxClippedDarkFraction: Float = 0.4
    /// Above this mean grey level: `tooBright`.
    public var maxBrightness: Float = 200
    /// Above this fraction of white-clipped pixels: `tooBright`.
    public var maxClippedBrightFraction: Float = 0.25
    /// Below this grey-level standard deviation: `lowContrast`.
    public var minContrast: Float = 16
    /// Beyond this absolute roll (degrees): `pose`.
    public var maxAbsRollDegrees: Float = 40
    /// Beyond this absolute yaw proxy: `pose`.
    public var maxAbsYaw: Float = 0.95
    /// Below this landmark confidence, when the predictor gives one (> 0): `occluded`.
    public var minLandmarkConfidence: Float = 0.6

    /// The documented defaults (112x112 ArcFace-template crops).
    public init() {}

    /// Limits for 112x112 ArcFace-template crops (MobileFaceNet-class ONNX models).
    public static let arcFace112 = CueThresholds()

    /// Limits for dlib's 150x150 face chip (the default dlib ResNet model): as `arcFace112`
    /// but blurry below a Laplacian variance of 7 (good chips: 0.5% quantile 9.0; blurred
    /// copies: 99.5% quantile 6.7).
    public static let dlibChip: CueThresholds = {
        var limits = CueThresholds()
        limits.minSharpness = 7
        return limits
    }()

    /// Number of values in `values`.
    public static let count = 10

    /// The limits in declaration order (gate file layout).
    public var values: [Float] {
        [minFaceSizePx, minSharpness, minBrightness, maxClippedDarkFraction, maxBrightness,
         maxClippedBrightFraction, minContrast, maxAbsRollDegrees, maxAbsYaw, minLandmarkConfidence]
    }

    /// Creates limits from `values` order; nil unless exactly `count` values.
    public init?(values v: [Float]) {
        guard v.count == Self.count else { return nil }
        minFaceSizePx = v[0]; minSharpness = v[1]; minBrightness = v[2]; maxClippedDarkFraction = v[3]
        maxBrightness = v[4]; maxClippedBrightFraction = v[5]; minContrast = v[6]
        maxAbsRollDegrees = v[7]; maxAbsYaw = v[8]; minLandmarkConfidence = v[9]
    }

    /// The reasons `cues` violates, in enum order, without duplicates.
    public func violations(_ c: QualityCues) -> [RejectReason] {
        var r: [RejectReason] = []
        if c.sharpness < minSharpness { r.append(.blurry) }
        if c.faceSizePx < minFaceSizePx { r.append(.tooSmall) }
        if c.brightness < minBrightness || c.clippedDarkFraction > maxClippedDarkFraction { r.append(.tooDark) }
        if c.brightness > maxBrightness || c.clippedBrightFraction > maxClippedBrightFraction { r.append(.tooBright) }
        if c.contrast < minContrast { r.append(.lowContrast) }
        if c.landmarkConfidence > 0, c.landmarkConfidence < minLandmarkConfidence { r.append(.occluded) }
        if abs(c.rollDegrees) > maxAbsRollDegrees || abs(c.yawProxy) > maxAbsYaw { r.append(.pose) }
        return r
    }

    /// A cue-only OOD score in 0...1: the logistic of the largest relative violation margin,
    /// so it crosses 0.5 exactly where the first limit is crossed and rises smoothly beyond.
    public func score(_ c: QualityCues) -> Float {
        // Each margin is positive when violated, in units of a tenth of the limit's scale.
        func below(_ v: Float, _ limit: Float, _ scale: Float) -> Float { (limit - v) / scale }
        func above(_ v: Float, _ limit: Float, _ scale: Float) -> Float { (v - limit) / scale }
        var margins: [Float] = [
            below(logf(1 + max(c.sharpness, 0)), logf(1 + minSharpness), 0.2),
            below(logf(1 + max(c.faceSizePx, 0)), logf(1 + minFaceSizePx), 0.1),
            below(c.brightness, minBrightness, 8),
            above(c.clippedDarkFraction, maxClippedDarkFraction, 0.05),
            above(c.brightness, maxBrightness, 8),
            above(c.clippedBrightFraction, maxClippedBrightFraction, 0.05),
            below(c.contrast, minContrast, 3),
            above(abs(c.rollDegrees), maxAbsRollDegrees, 5),
            above(abs(c.yawProxy), maxAbsYaw, 0.08),
        ]
        if c.landmarkConfidence > 0 { margins.append(below(c.landmarkConfidence, minLandmarkConfidence, 0.05)) }
        return sigmoid(margins.max() ?? -10)
    }
}
