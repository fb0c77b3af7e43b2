import Embedding
import GRPCHTTP2Server
import GalleryIndex
import OODGate

/// Everything `facegate serve` can be told, as nested values with documented defaults and units.
///
/// `facegate serve` fills it from (in increasing precedence) a JSON config file, `FACEGATE_*`
/// environment variables and command-line flags; see `facegate serve --help`.
public struct ServiceConfig: Sendable {
    /// Transport: address, TLS, HTTP/2 and message limits, drain grace.
    public var server = GRPCServer.Config()
    /// The embedding model.
    public var model = Model()
    /// The gallery store and index.
    public var gallery = Gallery()
    /// The OOD gate.
    public var gate = Gate()
    /// Batching of faces from all calls into engine batches. Two batches run side by side, each
    /// on one engine thread (`Model.engineThreads`): measured with `facegate bench serve` (dlib,
    /// lfw-dev, 16 streams x depth 2, quiet 2-core box) at 553-590 faces/s, against 456-473 for
    /// one batch at a time split over two threads (a split batch waits for its slower half while
    /// decode and align share the cores). Batches of 4 / 8 / 16: 546 / 590 / 582 faces/s.
    public var batching: FaceBatcher.Config = {
        var config = FaceBatcher.Config()
        config.maxConcurrentBatches = 2
        return config
    }()
    /// Per-request limits.
    public var limits = Limits()
    /// Prometheus endpoint.
    public var metrics = Metrics()

    /// The defaults.
    public init() {}

    /// Which model to load and how to run it.
    public struct Model: Sendable {
        /// A model name (`dlib`) or a path to a `.dat` / `.onnx` file.
        public var nameOrPath: String = ModelRegistry.defaultModel
        /// Model cache folder; nil means `FACEGATE_CACHE` or `~/.cache/facegate`.
        public var cacheDirectory: String? = nil
        /// Engine threads per batch; with two concurrent batches (the default) one thread each
        /// keeps both cores of the target box busy.
        public var engineThreads: Int = 1
        /// Creates defaults.
        public init() {}
    }

    /// Where the gallery lives and how it is searched.
    public struct Gallery: Sendable {
        /// SQLite file; created when missing.
        public var path: String = "var/gallery.sqlite"
        /// Pruning rule of the level-wise index.
        public var pruning: SequentialIndex.Pruning = .exact
        /// Operating distance threshold (Euclidean, L2-normalised embeddings); nil means the
        /// model's default (`defaultThreshold(for:)`).
        public var threshold: Float? = nil
        /// Candidates returned when a request asks for 0.
        public var defaultTopK: Int = 5
        /// Most candidates a request may ask for.
        public var maxTopK: Int = 100
        /// Accepted faces an identity should have for reliable open-set answers.
        public var recommendedFacesPerIdentity: Int = 3
        /// An enrollment face this close to one of the same identity's faces is a duplicate
        /// (Euclidean distance).
        public var duplicateDistance: Float = 0.05
        /// Creates defaults.
        public init() {}

        /// The default operating threshold of a model (Euclidean distance between L2-normalised
        /// embeddings). dlib's ResNet: 0.4. dlib's published 0.6 applies to its raw descriptors
        /// (norm ~1.3) and to verification of two faces; on unit vectors the best lfw-dev
        /// verification threshold is 0.42, the 1% FPIR identification threshold 0.31, and a
        /// look-alike pair (Obama/Biden in the face_recognition photos) sits at 0.59-0.63 while
        /// the same person is at 0.24-0.33. MobileFaceNet-class ONNX models: 1.05, the distance
        /// at 1% FPIR on lfw-dev. Measure an operating point for your gallery (`--threshold`).
        public static func defaultThreshold(for model: ModelIdentity) -> Float {
            model.name == ModelRegistry.dlibName ? 0.4 : 1.05
        }
    }

    /// The OOD gate.
    public struct Gate: Sendable {
        /// A gate file from `facegate train-gate`; nil uses the built-in cue limits.
        public var file: String? = nil
        /// What happens to out-of-distribution faces.
        public var policy: GatePolicy = .exclude
        /// Creates defaults.
        public init() {}
    }

    /// Per-request limits (all enforced with a clear gRPC status).
    public struct Limits: Sendable {
        /// Largest decoded image, pixels (checked from the header before decoding).
        public var maxImagePixels: Int = 40_000_000
        /// Faces of one stream processed concurrently (answers still come in order).
        public var streamWindow: Int = 16
        /// A face whose box lies more than this fraction outside the image is rejected as
        /// `OCCLUDED` (a partial face at the frame edge); 1 disables the check.
        public var maxOutOfFrameFraction: Float = 0.1
        /// Creates defaults.
        public init() {}
    }

    /// The Prometheus endpoint.
    public struct Metrics: Sendable {
        /// Address of the HTTP `/metrics` endpoint.
        public var host: String = "127.0.0.1"
        /// Port; 0 picks a free one, nil disables the endpoint.
        public var port: Int? = 9464
        /// Creates defaults.
        public init() {}
    }
}
