import Embedding

/// One detected face as the gate sees it before embedding: the aligned crop plus the landmarks
/// in source-image coordinates and the predictor's confidence.
public struct FaceSample: Sendable, Equatable {
    /// The aligned face crop (grey or RGB).
    public var alignedFace: PixelImage
    /// Five landmarks in source-image pixels.
    public var landmarks: FaceLandmarks
    /// Landmark predictor confidence 0...1, nil when not available.
    public var landmarkConfidence: Float?

    /// Creates a sample.
    public init(alignedFace: PixelImage, landmarks: FaceLandmarks, landmarkConfidence: Float? = nil) {
        self.alignedFace = alignedFace
        self.landmarks = landmarks
        self.landmarkConfidence = landmarkConfidence
    }

    /// The sample's quality cues.
    public var cues: QualityCues {
        QualityCues(alignedFace: alignedFace, landmarks: landmarks, landmarkConfidence: landmarkConfidence)
    }
}
