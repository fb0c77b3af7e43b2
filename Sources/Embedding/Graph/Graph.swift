/// One value (tensor) of a graph: its per-sample shape and a name for messages.
public struct ValueInfo: Sendable, Equatable {
    /// Per-sample shape.
    public var shape: TensorShape
    /// Name (from the model file, or generated).
    public var name: String
}

/// One operation applied to values, producing one value.
public struct Node: Sendable, Equatable {
    /// Name for messages (from the model file, or generated).
    public var name: String
    /// What it computes.
    public var operation: Operation
    /// Input values, in the operation's order.
    public var inputs: [ValueID]
    /// The value it produces.
    public var output: ValueID
}

/// A CNN as a list of nodes in execution (topological) order, with constant weights inline.
///
/// The common representation every loader produces (`ONNXImporter`, the dlib reader) and every
/// optimisation pass (`GraphOptimizer`) and executor works on. Graphs have one input and one
/// output, are batch-agnostic (shapes are per sample) and are immutable values: build them
/// with `GraphBuilder`.
public struct Graph: Sendable, Equatable {
    /// Every value; `ValueID.index` indexes this array.
    public internal(set) var values: [ValueInfo]
    /// Nodes in execution order; each node's inputs are produced earlier (or are the input).
    public internal(set) var nodes: [Node]
    /// The graph input (a batch of `inputShape` samples, NCHW).
    public internal(set) var input: ValueID
    /// The graph output.
    public internal(set) var output: ValueID

    /// Per-sample input shape.
    public var inputShape: TensorShape { values[input.index].shape }
    /// Per-sample output shape.
    public var outputShape: TensorShape { values[output.index].shape }

    /// Shape of a value.
    public func shape(of value: ValueID) -> TensorShape { values[value.index].shape }

    /// Multiply-accumulate operations per sample (convolutions and fully connected layers).
    public var multiplyAccumulates: Int {
        nodes.reduce(0) { total, node in
            switch node.operation {
            case .convolution(let c):
                let out = values[node.output.index].shape
                return total + out.count * (c.inChannels / c.groups) * c.kernelHeight * c.kernelWidth
            case .fullyConnected(let f):
                return total + f.inFeatures * f.outFeatures
            default:
                return total
            }
        }
    }
}
