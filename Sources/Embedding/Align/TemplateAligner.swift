/// Five-point template alignment for ONNX face models (ArcFace / MobileFaceNet style): the
/// least-squares similarity of the landmarks to the template, then bilinear warping.
///
/// Without client landmarks, dlib's 5-point predictor runs in the client's box (or the crop
/// box); as it gives eye corners and the nose but no mouth, the fit then uses the eye centres
/// and nose only. Immutable; thread-safe.
public struct TemplateAligner: Sendable {
    /// The standard ArcFace 112x112 template (InsightFace), API order, output pixels.
    public static let arcFace112: [Point2] = [
        Point2(x: 38.2946, y: 51.6963), Point2(x: 73.5318, y: 51.5014), Point2(x: 56.0252, y: 71.7366),
        Point2(x: 41.5493, y: 92.3655), Point2(x: 70.7299, y: 92.2041),
    ]

    /// Template points in output pixels, API order.
    public let template: [Point2]
    /// Output width, pixels.
    public let width: Int
    /// Output height, pixels.
    public let height: Int
    /// Predictor for requests without landmarks (nil: landmarks are required).
    public let predictor: ShapePredictor?
    /// Box assumed for bare face crops.
    public let cropBox: CropBox

    /// Creates an aligner.
    public init(template: [Point2] = TemplateAligner.arcFace112, width: Int = 112, height: Int = 112,
                predictor: ShapePredictor?, cropBox: CropBox = CropBox()) {
        self.template = template
        self.width = width
        self.height = height
        self.predictor = predictor
        self.cropBox = cropBox
    }

    /// Aligns one face; nil when no landmarks were given and there is no predictor.
    public func align(_ image: PixelImage, hint: FaceHint) -> AlignedFace? {
        var points: [Point2]
        var box: FaceBox? = nil
        let source: LandmarkSource
        switch hint {
        case .landmarks(let five):
            points = five.points
            source = .client
        case .box(let b):
            guard let predictor else { return nil }
            box = b
            points = ShapePredictor.apiOrderPartial(predictor.predict(in: image, box: b))
            source = .predictorInClientBox
        case .none:
            guard let predictor else { return nil }
            let b = cropBox.box(width: image.width, height: image.height)
            box = b
            points = ShapePredictor.apiOrderPartial(predictor.predict(in: image, box: b))
            source = .predictorInCropBox
        }
        return AlignedFace(image: warp(image, landmarks: points), landmarks: points, source: source, box: box)
    }

    /// Warps `image` so that `landmarks` (API order, 3 or 5 points) land on the template.
    public func warp(_ image: PixelImage, landmarks: [Point2]) -> PixelImage {
        let n = min(landmarks.count, template.count)
        let from = template.prefix(n).map { (Double($0.x), Double($0.y)) }
        let to = landmarks.prefix(n).map { (Double($0.x), Double($0.y)) }
        // Output pixel -> image point.
        let map = AffineTransform2D.similarity(from: Array(from), to: Array(to))
        var out = PixelImage(width: width, height: height, format: .rgb)
        let rgb = image.rgb()
        let w = rgb.width, h = rgb.height
        rgb.pixels.withUnsafeBufferPointer { src in
            out.pixels.withUnsafeMutableBufferPointer { dst in
                for y in 0..<height {
                    for x in 0..<width {
                        let (px, py) = map.apply(Double(x), Double(y))
                        let fx = px.rounded(.down), fy = py.rounded(.down)
                        let o = (y * width + x) * 3
                        // Constant (black) border, like cv2.warpAffine's default.
                        let x0 = Int(max(-2, min(Double(w + 1), fx))), y0 = Int(max(-2, min(Double(h + 1), fy)))
                        let ax = px - fx, ay = py - fy
                        for c in 0..<3 {
                            func at(_ xx: Int, _ yy: Int) -> Double {
                                xx >= 0 && yy >= 0 && xx < w && yy < h ? Double(src[(yy * w + xx) * 3 + c]) : 0
                            }
                            let v = (1 - ay) * ((1 - ax) * at(x0, y0) + ax * at(x0 + 1, y0))
                                + ay * ((1 - ax) * at(x0, y0 + 1) + ax * at(x0 + 1, y0 + 1))
                            dst[o + c] = UInt8(max(0, min(255, v.rounded())))
                        }
                    }
                }
            }
        }
        return out
    }
}
