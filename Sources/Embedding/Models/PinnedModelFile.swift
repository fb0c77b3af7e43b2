/// A file of the default model set, pinned by name and content hash.
public struct PinnedModelFile: Sendable, Equatable {
    /// File name inside the cache (and inside the wheel's `models/` folder).
    public var fileName: String
    /// Path of the member inside the wheel.
    public var wheelMember: String
    /// Lower-case hex sha256 of the file's bytes.
    public var sha256: String

    /// dlib's face recognition ResNet (128-d descriptors; public domain / CC0).
    public static let dlibResNet = PinnedModelFile(
        fileName: "dlib_face_recognition_resnet_model_v1.dat",
        wheelMember: "face_recognition_models/models/dlib_face_recognition_resnet_model_v1.dat",
        sha256: "55533b28a95800a551ba546ba62fe69625c7e95a7061c338adffead08719da30")
    /// dlib's 5-point landmark predictor (public domain / CC0).
    ///
    /// The wheel's 68-point model is deliberately not listed: its training data forbids
    /// commercial use, so FaceGate never extracts it.
    public static let dlibShapePredictor5 = PinnedModelFile(
        fileName: "shape_predictor_5_face_landmarks.dat",
        wheelMember: "face_recognition_models/models/shape_predictor_5_face_landmarks.dat",
        sha256: "c4b1e9804792707d3a405c2c16a80a20269e6675021f64a41d30fffafbc41888")
}
