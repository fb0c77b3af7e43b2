import Foundation
import Logging

/// Loads the one embedding model a server or command uses, by name or path.
///
/// Names: `dlib` (also `dlib_resnet_v1`, the default) — dlib's ResNet and 5-point predictor
/// from the model cache (`facegate model fetch`). Paths: a dlib `.dat` network (the 5-point
/// predictor still comes from the cache) or an `.onnx` model with an optional description
/// beside it (`ModelDescription`); for ONNX models the cache's 5-point predictor is used when
/// present to align faces sent without landmarks.
public struct ModelRegistry: Sendable {
    /// Default model name.
    public static let defaultModel = "dlib"
    /// Identity name of the default model.
    public static let dlibName = "dlib_resnet_v1"

    /// Where the pinned dlib files live.
    public var cache: ModelCache
    /// Engine settings for the loaded model.
    public var engine: Embedder.Config
    /// dlib alignment settings.
    public var dlibAlignment: DlibAligner.Config

    /// Creates a registry.
    public init(cache: ModelCache, engine: Embedder.Config = Embedder.Config(), dlibAlignment: DlibAligner.Config = DlibAligner.Config()) {
        self.cache = cache
        self.engine = engine
        self.dlibAlignment = dlibAlignment
    }

    /// Loads a model by name or path.
    /// - Throws: `ModelError` (unknown name, missing files, bad description) or `EngineError`
    ///   (unreadable or malformed model file).
    public func load(_ nameOrPath: String = ModelRegistry.defaultModel) throws -> FaceModel {
        let logger = cache.logger
        switch nameOrPath {
        case "dlib", ModelRegistry.dlibName, PinnedModelFile.dlibResNet.fileName:
            let paths = try cache.fetch()
            // fetch() has just verified the pinned hash.
            return try loadDlib(network: paths[0], name: ModelRegistry.dlibName, sha256: PinnedModelFile.dlibResNet.sha256,
                                predictor: try loadPredictor(required: true))
        default:
            let url = URL(fileURLWithPath: nameOrPath)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw ModelError(.notFound, "'\(nameOrPath)' is neither a known model name (dlib) nor an existing file")
            }
            switch url.pathExtension.lowercased() {
            case "dat":
                return try loadDlib(network: url, name: url.deletingPathExtension().lastPathComponent,
                                    sha256: try ModelCache.sha256(ofFile: url), predictor: try loadPredictor(required: true))
            case "onnx":
                let description = try ModelDescription.load(besideModel: url.path)
                let embedder = try Embedder(onnxFile: url.path, config: engine)
                let shape = embedder.inputShape
                guard shape.channels == 3 else {
                    throw ModelError(.invalidModel, "\(url.path): input has \(shape.channels) channels, expected 3")
                }
                let predictor = try loadPredictor(required: false)
                let aligner = TemplateAligner(template: description.templatePoints(width: shape.width, height: shape.height),
                                              width: shape.width, height: shape.height, predictor: predictor,
                                              cropBox: dlibAlignment.cropBox)
                var offset: [Float] = [0, 0, 0], factor: [Float] = [1, 1, 1]
                if case .inGraph = embedder.normalization {
                    // The graph normalises raw pixels itself.
                } else {
                    let mean = description.mean ?? ModelDescription.imageNetMean
                    let std = description.std ?? ModelDescription.imageNetStd
                    offset = mean.map { $0 * 255 }
                    factor = std.map { 1 / ($0 * 255) }
                }
                let identity = ModelIdentity(name: description.name ?? url.deletingPathExtension().lastPathComponent,
                                             sha256: try ModelCache.sha256(ofFile: url))
                logger.info("model loaded", metadata: ["model": "\(identity)", "input": "\(shape)", "alignment": "arcface"])
                return FaceModel(identity: identity, embedder: embedder, alignment: .template(aligner),
                                 feedsBGR: description.color == "bgr", channelOffset: offset, channelFactor: factor)
            default:
                throw ModelError(.invalidModel, "\(url.path): unknown model type (expected .dat or .onnx)")
            }
        }
    }

    private func loadPredictor(required: Bool) throws -> ShapePredictor? {
        let url = cache.path(of: .dlibShapePredictor5)
        if !FileManager.default.fileExists(atPath: url.path) {
            if !required { return nil }
            var config = cache.config
            config.files = [.dlibShapePredictor5]
            try ModelCache(config: config, logger: cache.logger).fetch()
        }
        return try ShapePredictor.read(contentsOf: url)
    }

    private func loadDlib(network url: URL, name: String, sha256: String, predictor: ShapePredictor?) throws -> FaceModel {
        guard let predictor else { throw ModelError(.notFound, "the 5-point predictor is required for dlib models") }
        let network = try DlibNetwork.read(contentsOf: url)
        let embedder = try Embedder(graph: try network.graph(), config: engine)
        let identity = ModelIdentity(name: name, sha256: sha256)
        cache.logger.info("model loaded", metadata: ["model": "\(identity)", "input": "\(embedder.inputShape)", "alignment": "dlib_chip"])
        return FaceModel(identity: identity, embedder: embedder,
                         alignment: .dlib(DlibAligner(predictor: predictor, config: dlibAlignment)))
    }
}
