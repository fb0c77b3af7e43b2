import Foundation

/// How an ONNX face model wants its input: the small JSON file next to the `.onnx`.
///
/// File name: the model path with `.onnx` replaced by `.json` (`mobilefacenet.onnx` ->
/// `mobilefacenet.json`). Every field is optional; the defaults suit a 112x112
/// MobileFaceNet/ArcFace-class model:
/// ```json
/// {
///   "name": "mobilefacenet",              // model name (default: file name without .onnx)
///   "alignment": "arcface",               // "arcface" (5-point template) is the only kind for ONNX
///   "template": [[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366],
///                [41.5493, 92.3655], [70.7299, 92.2041]],   // output pixels, API landmark order
///   "color": "rgb",                       // channel order fed to the model: "rgb" or "bgr"
///   "mean": [0.485, 0.456, 0.406],        // per channel, on pixel / 255
///   "std": [0.229, 0.224, 0.225]          // input = (pixel / 255 - mean) / std
/// }
/// ```
/// The input size comes from the model itself. A template given for another size than 112x112
/// must be in that size's pixels.
public struct ModelDescription: Sendable, Equatable, Codable {
    /// Model name recorded in the identity.
    public var name: String?
    /// Alignment kind (`arcface`).
    public var alignment: String?
    /// Template points (x, y) in output pixels, API order.
    public var template: [[Float]]?
    /// `rgb` or `bgr`.
    public var color: String?
    /// Channel means on pixel / 255.
    public var mean: [Float]?
    /// Channel standard deviations on pixel / 255.
    public var std: [Float]?

    /// The defaults (ArcFace template, RGB, ImageNet mean/std).
    public init() {}

    /// ImageNet statistics (the defaults).
    public static let imageNetMean: [Float] = [0.485, 0.456, 0.406]
    /// ImageNet statistics (the defaults).
    public static let imageNetStd: [Float] = [0.229, 0.224, 0.225]

    /// Reads `<model>.json` next to an `.onnx` file; the defaults when there is none.
    /// - Throws: `ModelError(.invalidModel)` when the file exists but is not valid.
    public static func load(besideModel path: String) throws -> ModelDescription {
        let url = URL(fileURLWithPath: path).deletingPathExtension().appendingPathExtension("json")
        guard let data = FileManager.default.contents(atPath: url.path) else { return ModelDescription() }
        let description: ModelDescription
        do {
            description = try JSONDecoder().decode(ModelDescription.self, from: data)
        } catch {
            throw ModelError(.invalidModel, "\(url.path): not a valid model description: \(error)")
        }
        try description.validate(source: url.path)
        return description
    }

    func validate(source: String) throws {
        if let a = alignment, a != "arcface" {
            throw ModelError(.invalidModel, "\(source): alignment '\(a)' is not supported (use \"arcface\")")
        }
        if let t = template, t.count != 5 || t.contains(where: { $0.count != 2 || !$0.allSatisfy(\.isFinite) }) {
            throw ModelError(.invalidModel, "\(source): template must be 5 [x, y] pairs")
        }
        if let c = color, c != "rgb", c != "bgr" {
            throw ModelError(.invalidModel, "\(source): color must be \"rgb\" or \"bgr\"")
        }
        if let m = mean, m.count != 3 { throw ModelError(.invalidModel, "\(source): mean needs 3 values") }
        if let s = std, s.count != 3 || s.contains(where: { !($0 > 0) }) {
            throw ModelError(.invalidModel, "\(source): std needs 3 positive values")
        }
    }

    /// Template points in output pixels for an input of `width x height`.
    func templatePoints(width: Int, height: Int) -> [Point2] {
        if let t = template { return t.map { Point2(x: $0[0], y: $0[1]) } }
        // Scale the 112x112 template to other sizes.
        let sx = Float(width) / 112, sy = Float(height) / 112
        return TemplateAligner.arcFace112.map { Point2(x: $0.x * sx, y: $0.y * sy) }
    }
}
