/// Alignment for dlib's ResNet: dlib's 5-point predictor, then dlib's 150x150 face chip.
///
/// With client landmarks, a box is derived from them and dlib's predictor runs in it (the
/// chip geometry is defined on dlib's own landmarks, which are eye corners, not centres).
/// Immutable; thread-safe.
public struct DlibAligner: Sendable {
    /// Alignment settings.
    public struct Config: Sendable, Equatable {
        /// Chip size and padding (150 px, 0.25 for the ResNet).
        public var chip = DlibFaceChip.Config()
        /// Box assumed for bare face crops.
        public var cropBox = CropBox()

        /// The defaults.
        public init() {}
    }

    /// The landmark predictor.
    public let predictor: ShapePredictor
    /// Settings.
    public let config: Config

    /// Creates an aligner.
    public init(predictor: ShapePredictor, config: Config = Config()) {
        self.predictor = predictor
        self.config = config
    }

    /// Aligns one face.
    public func align(_ image: PixelImage, hint: FaceHint) -> AlignedFace {
        let box: FaceBox
        let source: LandmarkSource
        switch hint {
        case .landmarks(let points):
            box = predictor.box(matching: points)
            source = .predictorInLandmarkBox
        case .box(let b):
            box = b
            source = .predictorInClientBox
        case .none:
            box = config.cropBox.box(width: image.width, height: image.height)
            source = .predictorInCropBox
        }
        let dlibPoints = predictor.predict(in: image, box: box)
        let chip = DlibFaceChip(config: config.chip).extract(from: image, landmarks: dlibPoints)
        return AlignedFace(image: chip, landmarks: dlibPoints, source: source, box: box)
    }
}
