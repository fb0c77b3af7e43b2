/// The face box assumed when the client sends a face crop without box or landmarks.
///
/// Fractions of the image size. Defaults are the medians of dlib's HOG detector boxes on
/// lfw-dev (250x250 news crops, one centred face): a square of side 0.43 x min(width, height)
/// centred at (0.5, 0.535) x (width, height). Change them for crops framed differently.
public struct CropBox: Sendable, Equatable {
    /// Box centre, fraction of the width.
    public var centerX: Double = 0.5
    /// Box centre, fraction of the height.
    public var centerY: Double = 0.535
    /// Box side, fraction of min(width, height).
    public var size: Double = 0.43

    /// The defaults.
    public init() {}

    /// The box for an image of the given size.
    public func box(width: Int, height: Int) -> FaceBox {
        let side = size * Double(min(width, height))
        let cx = centerX * Double(width), cy = centerY * Double(height)
        return FaceBox(left: Int((cx - side / 2).rounded()), top: Int((cy - side / 2).rounded()),
                       right: Int((cx + side / 2).rounded()) - 1, bottom: Int((cy + side / 2).rounded()) - 1)
    }
}
