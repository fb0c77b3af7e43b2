/// A batch of samples in NCHW order (sample-major, then channel, row, column), float32.
///
/// The engine's public input/output currency. Value type.
public struct Tensor: Sendable, Equatable {
    /// Number of samples.
    public let batch: Int
    /// Per-sample shape.
    public let shape: TensorShape
    /// `batch * shape.count` floats, NCHW.
    public var data: [Float]

    /// Wraps data; throws `.invalidInput` when the count does not match.
    public init(batch: Int, shape: TensorShape, data: [Float]) throws {
        guard batch >= 0, data.count == batch * shape.count else {
            throw EngineError(.invalidInput, "tensor of \(batch)x\(shape) needs \(batch * shape.count) floats, got \(data.count)")
        }
        self.batch = batch
        self.shape = shape
        self.data = data
    }

    /// A zero-filled tensor.
    public init(zeros batch: Int, shape: TensorShape) {
        self.batch = batch
        self.shape = shape
        self.data = [Float](repeating: 0, count: batch * shape.count)
    }

    /// The floats of sample `i`.
    public func sample(_ i: Int) -> ArraySlice<Float> {
        data[(i * shape.count)..<((i + 1) * shape.count)]
    }
}
