import Foundation

/// A face prepared for the network: the aligned face and its input tensor (one sample, CHW).
public struct PreparedFace: Sendable {
    /// The alignment result.
    public var aligned: AlignedFace
    /// `inputShape.count` floats, CHW, ready for `Embedder.embed`.
    public var input: [Float]
}

/// A loaded embedding model with its preprocessing: align, build the input tensor, run the engine.
///
/// Thread-safe (`Embedder` is; everything else is immutable).
public final class FaceModel: Sendable {
    /// How faces are aligned for this model.
    public enum Alignment: Sendable {
        /// dlib's 5-point predictor + 150x150 chip (the dlib ResNet).
        case dlib(DlibAligner)
        /// Five-point template warp (ONNX models).
        case template(TemplateAligner)
    }

    /// Name + file hash.
    public let identity: ModelIdentity
    /// The compiled network.
    public let embedder: Embedder
    /// The alignment.
    public let alignment: Alignment
    /// Channel order fed to the network (false: RGB).
    public let feedsBGR: Bool
    /// Per-channel `(value - offset) * factor` applied to pixel values 0...255 (identity for
    /// models that normalise in their graph).
    public let channelOffset: [Float]
    /// See `channelOffset`.
    public let channelFactor: [Float]

    /// Assembles a model from its parts.
    public init(identity: ModelIdentity, embedder: Embedder, alignment: Alignment, feedsBGR: Bool = false,
                channelOffset: [Float] = [0, 0, 0], channelFactor: [Float] = [1, 1, 1]) {
        self.identity = identity
        self.embedder = embedder
        self.alignment = alignment
        self.feedsBGR = feedsBGR
        self.channelOffset = channelOffset
        self.channelFactor = channelFactor
    }

    /// Aligns a face and builds its input tensor.
    /// - Throws: `ImageError(.invalidGeometry)` for an empty box or one with coordinates beyond
    ///   +-`FaceBox.coordinateLimit`; `ModelError(.invalidModel)` when the model needs landmarks and
    ///   none were given (ONNX model without a 5-point predictor).
    public func prepare(_ image: PixelImage, hint: FaceHint) throws -> PreparedFace {
        if case .box(let box) = hint, !box.isValid {
            throw ImageError(.invalidGeometry, "face box \(box.left),\(box.top),\(box.right),\(box.bottom) is empty or out of range")
        }
        let aligned: AlignedFace
        switch alignment {
        case .dlib(let aligner):
            aligned = aligner.align(image, hint: hint)
        case .template(let aligner):
            guard let a = aligner.align(image, hint: hint) else {
                throw ModelError(.invalidModel, "\(identity.name) needs 5 landmarks: no landmark predictor is loaded")
            }
            aligned = a
        }
        return PreparedFace(aligned: aligned, input: tensor(aligned.image))
    }

    /// Embeds prepared faces as one batch; returns one embedding per face (L2-normalised when asked).
    public func embed(_ faces: [PreparedFace], l2Normalize: Bool) throws -> [[Float]] {
        guard !faces.isEmpty else { return [] }
        var data: [Float] = []
        data.reserveCapacity(faces.count * embedder.inputShape.count)
        for face in faces { data.append(contentsOf: face.input) }
        let out = try embedder.embed(try Tensor(batch: faces.count, shape: embedder.inputShape, data: data),
                                     l2Normalize: l2Normalize)
        return (0..<faces.count).map { Array(out.sample($0)) }
    }

    /// Planar CHW floats of an aligned RGB crop, in the model's channel order and scaling.
    func tensor(_ image: PixelImage) -> [Float] {
        let hw = image.width * image.height
        var out = [Float](repeating: 0, count: 3 * hw)
        image.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for plane in 0..<3 {
                    let ch = feedsBGR ? 2 - plane : plane
                    let offset = channelOffset[plane], factor = channelFactor[plane]
                    for p in 0..<hw { dst[plane * hw + p] = (Float(src[3 * p + ch]) - offset) * factor }
                }
            }
        }
        return out
    }
}
