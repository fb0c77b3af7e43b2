/// Simple image-quality measurements of one face; mirrors the public API's `QualityCues`.
///
/// Measured by `QualityCues.init(alignedFace:landmarks:landmarkConfidence:)` during
/// preprocessing. Units are in the field names' documentation.
public struct QualityCues: Sendable, Equatable {
    /// Inter-ocular distance in the source image, pixels.
    public var faceSizePx: Float
    /// Variance of the 4-neighbour Laplacian of the aligned grey face (grey levels squared).
    public var sharpness: Float
    /// Mean grey level of the aligned face, 0...255.
    public var brightness: Float
    /// Fraction of aligned-face pixels with grey level <= 5.
    public var clippedDarkFraction: Float
    /// Fraction of aligned-face pixels with grey level >= 250.
    public var clippedBrightFraction: Float
    /// Standard deviation of the grey level of the aligned face.
    public var contrast: Float
    /// In-plane rotation of the eye line in the source image, degrees.
    public var rollDegrees: Float
    /// -1 (facing image-left) ... 1 (facing image-right); see `FaceLandmarks.yawProxy`.
    public var yawProxy: Float
    /// Landmark predictor confidence 0...1; 0 when not available.
    public var landmarkConfidence: Float
    /// L2 norm of the network's raw (un-normalised) embedding; 0 when not available. Filled in
    /// after the forward pass. Not in the public `QualityCues` message yet. Low norms go with
    /// hard faces (on lfw-dev with MobileFaceNet, discarding the 10% lowest-norm probes cut the
    /// 1-NN error from 2.6% to 1.6%).
    public var embeddingNorm: Float

    /// Creates cues from values (tests, files, other measurers).
    public init(
        faceSizePx: Float, sharpness: Float, brightness: Float, clippedDarkFraction: Float,
        clippedBrightFraction: Float, contrast: Float, rollDegrees: Float, yawProxy: Float,
        landmarkConfidence: Float, embeddingNorm: Float = 0
    ) {
        self.faceSizePx = faceSizePx
        self.sharpness = sharpness
        self.brightness = brightness
        self.clippedDarkFraction = clippedDarkFraction
        self.clippedBrightFraction = clippedBrightFraction
        self.contrast = contrast
        self.rollDegrees = rollDegrees
        self.yawProxy = yawProxy
        self.landmarkConfidence = landmarkConfidence
        self.embeddingNorm = embeddingNorm
    }

    /// Number of values in `values` (and in a feature file's cue record).
    public static let count = 10

    /// The cues in declaration order (the order of the public message's fields).
    public var values: [Float] {
        [faceSizePx, sharpness, brightness, clippedDarkFraction, clippedBrightFraction, contrast,
         rollDegrees, yawProxy, landmarkConfidence, embeddingNorm]
    }

    /// Creates cues from `values` order; nil unless `count` values (or `count - 1`: the
    /// embedding norm is then 0).
    public init?(values v: [Float]) {
        guard v.count == Self.count || v.count == Self.count - 1 else { return nil }
        self.init(faceSizePx: v[0], sharpness: v[1], brightness: v[2], clippedDarkFraction: v[3],
                  clippedBrightFraction: v[4], contrast: v[5], rollDegrees: v[6], yawProxy: v[7],
                  landmarkConfidence: v[8], embeddingNorm: v.count > 9 ? v[9] : 0)
    }
}
