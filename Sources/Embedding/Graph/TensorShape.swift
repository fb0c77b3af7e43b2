/// The shape of one sample's tensor in the graph: channels x height x width.
///
/// Graphs are batch-agnostic: every value has a per-sample shape and the batch size is chosen
/// per forward pass. Vectors (after `flatten`, `fullyConnected`) are `[D, 1, 1]`. The logical
/// element order is CHW (as in ONNX); the engine chooses its own memory layout internally.
public struct TensorShape: Hashable, Sendable, CustomStringConvertible {
    /// Number of channels (or vector length).
    public var channels: Int
    /// Rows.
    public var height: Int
    /// Columns.
    public var width: Int

    /// Creates a feature-map shape.
    public init(channels: Int, height: Int, width: Int) {
        self.channels = channels
        self.height = height
        self.width = width
    }

    /// A vector shape `[length, 1, 1]`.
    public static func vector(_ length: Int) -> TensorShape {
        TensorShape(channels: length, height: 1, width: 1)
    }

    /// Elements per sample.
    public var count: Int { channels * height * width }

    /// Spatial positions per sample.
    public var area: Int { height * width }

    /// `CxHxW`.
    public var description: String { "\(channels)x\(height)x\(width)" }
}

/// Identifies one value (tensor) in a `Graph`; produced by `GraphBuilder`.
public struct ValueID: Hashable, Sendable, CustomStringConvertible {
    /// Index into `Graph.values`.
    public let index: Int

    init(_ index: Int) { self.index = index }

    /// `%index`.
    public var description: String { "%\(index)" }
}
