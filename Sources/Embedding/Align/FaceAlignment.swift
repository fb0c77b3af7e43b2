/// What the client told us about where the face is.
public enum FaceHint: Sendable, Equatable {
    /// Five landmarks in the public API order (see `FiveLandmarks`).
    case landmarks(FiveLandmarks)
    /// A face box; landmarks are predicted inside it.
    case box(FaceBox)
    /// Nothing: the image is taken to be a face crop and a box is derived from it
    /// (`CropBox`), then landmarks are predicted inside it.
    case none
}

/// How the landmarks used for alignment were obtained (reported with every embedding).
public enum LandmarkSource: String, Sendable, Codable {
    /// The client's five landmarks were used directly.
    case client
    /// dlib's 5-point predictor ran in a box derived from the client's landmarks.
    case predictorInLandmarkBox = "predictor_in_landmark_box"
    /// dlib's 5-point predictor ran in the client's face box.
    case predictorInClientBox = "predictor_in_client_box"
    /// dlib's 5-point predictor ran in a box derived from the whole crop.
    case predictorInCropBox = "predictor_in_crop_box"
}

/// A face aligned for a model: the crop it consumes and how it was obtained.
public struct AlignedFace: Sendable {
    /// The aligned RGB crop at the model's input size.
    public var image: PixelImage
    /// The landmarks that drove the alignment, in the public API order, image pixels.
    public var landmarks: [Point2]
    /// Where they came from.
    public var source: LandmarkSource
    /// The box the predictor ran in (nil when the client's landmarks were used directly).
    public var box: FaceBox?
}

extension ShapePredictor {
    /// dlib's 5 points (right-eye corners, left-eye corners, nose base; image right/left) to
    /// the API order; mouth corners are not predicted, so only the first three are returned.
    static func apiOrderPartial(_ dlib: [Point2]) -> [Point2] {
        guard dlib.count >= 5 else { return dlib }
        func mid(_ a: Point2, _ b: Point2) -> Point2 { Point2(x: (a.x + b.x) / 2, y: (a.y + b.y) / 2) }
        return [mid(dlib[2], dlib[3]), mid(dlib[0], dlib[1]), dlib[4]]
    }

    /// A face box in which this predictor's mean shape lines up with the client's eye centres
    /// and nose tip (a similarity fit of the mean shape's eye centres and nose to them).
    func box(matching landmarks: FiveLandmarks) -> FaceBox {
        let mean = (0..<landmarkCount).map { Point2(x: initialShape[2 * $0], y: initialShape[2 * $0 + 1]) }
        let meanPoints = ShapePredictor.apiOrderPartial(mean).map { (Double($0.x), Double($0.y)) }
        let client = landmarks.points.prefix(3).map { (Double($0.x), Double($0.y)) }
        let t = AffineTransform2D.similarity(from: meanPoints, to: Array(client))
        let scale = (t.m.0 * t.m.0 + t.m.2 * t.m.2).squareRoot()
        let centre = t.apply(0.5, 0.5)
        let side = scale  // the unit box maps to a square of side `scale`
        return FaceBox(left: Int((centre.0 - side / 2).rounded()), top: Int((centre.1 - side / 2).rounded()),
                       right: Int((centre.0 + side / 2).rounded()), bottom: Int((centre.1 + side / 2).rounded()))
    }
}
