import Foundation

extension QualityCues {
    /// Number of values in `scorerFeatures`.
    public static let featureCount = 10

    /// Names of the `scorerFeatures` values, in order (for reports).
    public static let scorerFeatureNames = [
        "log face size", "log sharpness", "brightness", "dark-clipped", "bright-clipped", "contrast",
        "abs roll", "abs yaw proxy", "landmark confidence", "log embedding norm",
    ]

    /// The cues as the learned scorer sees them, before z-scoring: sizes and sharpness on a log
    /// scale (their effect is multiplicative), symmetric cues as magnitudes.
    public var scorerFeatures: [Float] {
        [
            logf(1 + max(0, faceSizePx)),
            logf(1 + max(0, sharpness)),
            brightness / 255,
            clippedDarkFraction,
            clippedBrightFraction,
            contrast / 64,
            abs(rollDegrees) / 45,
            abs(yawProxy),
            landmarkConfidence,
            logf(1 + max(0, embeddingNorm)),
        ]
    }
}
