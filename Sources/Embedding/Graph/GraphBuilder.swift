/// Builds a `Graph` node by node, checking shapes and weight sizes as it goes.
///
/// Loaders (ONNX, dlib) drive a builder; every method appends one node, returns the new value
/// and throws `EngineError` (`.invalidShape`) naming the node when sizes do not fit, so a hostile
/// model file fails here and never at inference time. Weights use ONNX conventions: convolution
/// weights are `[out][in/groups][kh][kw]`, fully connected weights are `[out][in]`.
///
/// Example (a dlib-style residual stem):
/// ```swift
/// var b = GraphBuilder(input: TensorShape(channels: 3, height: 150, width: 150))
/// var x = try b.normalize(b.input, mean: [122.8, 117.0, 104.1], scale: [1 / 256, 1 / 256, 1 / 256])
/// x = try b.convolution(x, outChannels: 32, kernel: 7, stride: 2, weights: w, bias: bias)
/// x = try b.affine(x, scale: gamma, bias: beta)   // folded into the conv by GraphOptimizer
/// x = try b.activation(x, .relu)
/// x = try b.maxPool(x, Pooling(kernelHeight: 3, kernelWidth: 3, strideY: 2, strideX: 2))
/// let shortcut = try b.averagePool(x, Pooling(kernelHeight: 2, kernelWidth: 2, strideY: 2, strideX: 2))
/// var y = try b.convolution(x, outChannels: 64, kernel: 3, stride: 2, weights: w2, bias: nil)
/// y = try b.paddedAdd(y, shortcut)                 // dlib add_prev
/// y = try b.globalAveragePool(try b.activation(y, .relu))
/// let embedding = try b.fullyConnected(try b.flatten(y), outFeatures: 128, weights: fc, bias: nil)
/// let graph = try b.build(output: embedding)
/// ```
/// Names are optional; unnamed nodes get `op_N`.
public struct GraphBuilder: Sendable {
    /// Largest number of elements allowed in one per-sample tensor (guards absurd shapes).
    public static let maxElementsPerValue = 1 << 27

    private var graph: Graph

    /// The graph input value.
    public var input: ValueID { graph.input }

    /// Nodes added so far.
    var nodeCount: Int { graph.nodes.count }

    /// Starts a graph whose input is a batch of `input`-shaped samples (NCHW).
    public init(input: TensorShape, name: String = "input") {
        graph = Graph(values: [ValueInfo(shape: input, name: name)], nodes: [], input: ValueID(0), output: ValueID(0))
    }

    /// Shape of a value built so far.
    public func shape(of value: ValueID) -> TensorShape { graph.values[value.index].shape }

    /// Finishes the graph with `output` as its result.
    /// - Throws: `.invalidShape` when the input shape itself is empty or absurd.
    public func build(output: ValueID) throws -> Graph {
        let s = graph.inputShape
        guard s.channels > 0, s.height > 0, s.width > 0, s.count <= Self.maxElementsPerValue else {
            throw EngineError(.invalidShape, "graph input shape \(s) is empty or too large")
        }
        var g = graph
        g.output = output
        return g
    }

    // MARK: - Operations

    /// Per-channel input normalisation `y = (x - mean[c]) * scale[c]`.
    public mutating func normalize(_ x: ValueID, mean: [Float], scale: [Float], name: String? = nil) throws -> ValueID {
        let s = shape(of: x)
        try expect(mean.count == s.channels && scale.count == s.channels, name, "Normalize",
                   "needs \(s.channels) means and scales, got \(mean.count) and \(scale.count)")
        return append(.normalize(mean: mean, scale: scale), [x], s, name)
    }

    /// 2-D convolution with a square kernel and stride; see the full form for details.
    public mutating func convolution(
        _ x: ValueID, outChannels: Int, kernel: Int, stride: Int = 1, padding: Padding = .zero,
        groups: Int = 1, weights: [Float], bias: [Float]?, activation: Activation = .none, name: String? = nil
    ) throws -> ValueID {
        try convolution(x, outChannels: outChannels, kernelHeight: kernel, kernelWidth: kernel,
                        strideY: stride, strideX: stride, padding: padding, groups: groups,
                        weights: weights, bias: bias, activation: activation, name: name)
    }

    /// 2-D convolution `y = activation(conv(x) + bias)`.
    /// - Parameters:
    ///   - weights: `outChannels * (inChannels / groups) * kernelHeight * kernelWidth` floats, OIHW.
    ///   - bias: `outChannels` floats, or nil for none.
    public mutating func convolution(
        _ x: ValueID, outChannels: Int, kernelHeight: Int, kernelWidth: Int, strideY: Int, strideX: Int,
        padding: Padding, groups: Int, weights: [Float], bias: [Float]?, activation: Activation = .none,
        name: String? = nil
    ) throws -> ValueID {
        let s = shape(of: x)
        let op = "Conv"
        try expect(kernelHeight > 0 && kernelWidth > 0 && strideY > 0 && strideX > 0, name, op,
                   "kernel \(kernelHeight)x\(kernelWidth) and stride \(strideY)x\(strideX) must be positive")
        try expect(padding.top >= 0 && padding.left >= 0 && padding.bottom >= 0 && padding.right >= 0
                   && padding.top < 64 && padding.left < 64 && padding.bottom < 64 && padding.right < 64,
                   name, op, "padding \(padding) out of range")
        try expect(groups > 0 && outChannels > 0 && s.channels % groups == 0 && outChannels % groups == 0,
                   name, op, "groups \(groups) must divide input channels \(s.channels) and output channels \(outChannels)")
        let perGroup = s.channels / groups
        let (wc, ok) = outChannels.multipliedReportingOverflow(by: perGroup * kernelHeight * kernelWidth)
        try expect(!ok && weights.count == wc, name, op,
                   "expected \(outChannels)x\(perGroup)x\(kernelHeight)x\(kernelWidth) weights, got \(weights.count)")
        try expect(bias == nil || bias!.count == outChannels, name, op, "bias has \(bias?.count ?? 0) values, expected \(outChannels)")
        try checkActivation(activation, channels: outChannels, name, op)
        let outH = (s.height + padding.top + padding.bottom - kernelHeight) / strideY + 1
        let outW = (s.width + padding.left + padding.right - kernelWidth) / strideX + 1
        try expect(s.height + padding.top + padding.bottom >= kernelHeight
                   && s.width + padding.left + padding.right >= kernelWidth, name, op,
                   "kernel \(kernelHeight)x\(kernelWidth) larger than padded input \(s)")
        let out = TensorShape(channels: outChannels, height: outH, width: outW)
        try checkSize(out, name, op)
        let conv = Convolution(
            outChannels: outChannels, inChannels: s.channels, kernelHeight: kernelHeight, kernelWidth: kernelWidth,
            strideY: strideY, strideX: strideX, padding: padding, groups: groups, weights: weights,
            bias: bias ?? [Float](repeating: 0, count: outChannels), activation: activation, hasResidual: false)
        return append(.convolution(conv), [x], out, name)
    }

    /// Per-channel affine `y = x * scale[c] + bias[c]` (BatchNorm after folding, dlib `affine`).
    public mutating func affine(_ x: ValueID, scale: [Float], bias: [Float], name: String? = nil) throws -> ValueID {
        let s = shape(of: x)
        try expect(scale.count == s.channels && bias.count == s.channels, name, "Affine",
                   "needs \(s.channels) scales and biases, got \(scale.count) and \(bias.count)")
        return append(.affine(scale: scale, bias: bias), [x], s, name)
    }

    /// A standalone activation (fused into its producer by `GraphOptimizer` when possible).
    public mutating func activation(_ x: ValueID, _ activation: Activation, name: String? = nil) throws -> ValueID {
        let s = shape(of: x)
        try checkActivation(activation, channels: s.channels, name, "Activation")
        return append(.activation(activation), [x], s, name)
    }

    /// Max pooling; padded positions never win.
    public mutating func maxPool(_ x: ValueID, _ pooling: Pooling, name: String? = nil) throws -> ValueID {
        append(.maxPool(pooling), [x], try poolShape(shape(of: x), pooling, name, "MaxPool"), name)
    }

    /// Average pooling; by default over the window clipped to the image (see `Pooling`).
    public mutating func averagePool(_ x: ValueID, _ pooling: Pooling, name: String? = nil) throws -> ValueID {
        append(.averagePool(pooling), [x], try poolShape(shape(of: x), pooling, name, "AveragePool"), name)
    }

    /// Mean over all spatial positions: `[C, H, W] -> [C, 1, 1]`.
    public mutating func globalAveragePool(_ x: ValueID, name: String? = nil) throws -> ValueID {
        append(.globalAveragePool, [x], .vector(shape(of: x).channels), name)
    }

    /// Elementwise `a + b`; `b` may also be `[C, 1, 1]` (broadcast over space).
    public mutating func add(_ a: ValueID, _ b: ValueID, name: String? = nil) throws -> ValueID {
        try binary(.add, a, b, name)
    }

    /// Elementwise `a * b`; `b` may also be `[C, 1, 1]` (broadcast over space, e.g. squeeze-excite).
    public mutating func multiply(_ a: ValueID, _ b: ValueID, name: String? = nil) throws -> ValueID {
        try binary(.multiply, a, b, name)
    }

    /// dlib `add_prev`: shape is the per-dimension maximum, inputs top-left aligned, zero-filled.
    public mutating func paddedAdd(_ a: ValueID, _ b: ValueID, name: String? = nil) throws -> ValueID {
        let sa = shape(of: a), sb = shape(of: b)
        let out = TensorShape(channels: max(sa.channels, sb.channels), height: max(sa.height, sb.height),
                              width: max(sa.width, sb.width))
        try checkSize(out, name, "PaddedAdd")
        return append(.paddedAdd, [a, b], out, name)
    }

    /// `[C, H, W] -> [C*H*W, 1, 1]`, CHW order (ONNX Flatten, or Reshape to `[N, -1]`).
    public mutating func flatten(_ x: ValueID, name: String? = nil) throws -> ValueID {
        append(.flatten, [x], .vector(shape(of: x).count), name)
    }

    /// `[C, H, W] -> [C*H*W, 1, 1]`, HWC order (ONNX Transpose to NHWC, then Flatten/Reshape).
    public mutating func flattenChannelsLast(_ x: ValueID, name: String? = nil) throws -> ValueID {
        append(.flattenChannelsLast, [x], .vector(shape(of: x).count), name)
    }

    /// Fully connected layer on the flattened input.
    /// - Parameters:
    ///   - weights: `[outFeatures][inFeatures]` floats, `inFeatures` = the input's element count.
    ///   - bias: `outFeatures` floats, or nil.
    public mutating func fullyConnected(
        _ x: ValueID, outFeatures: Int, weights: [Float], bias: [Float]?, activation: Activation = .none,
        name: String? = nil
    ) throws -> ValueID {
        let inFeatures = shape(of: x).count
        let op = "FullyConnected"
        let (wc, overflow) = outFeatures.multipliedReportingOverflow(by: inFeatures)
        try expect(outFeatures > 0 && !overflow && weights.count == wc, name, op,
                   "expected \(outFeatures)x\(inFeatures) weights, got \(weights.count)")
        try expect(bias == nil || bias!.count == outFeatures, name, op, "bias has \(bias?.count ?? 0) values, expected \(outFeatures)")
        try checkActivation(activation, channels: outFeatures, name, op)
        let fc = FullyConnected(outFeatures: outFeatures, inFeatures: inFeatures, weights: weights,
                                bias: bias ?? [Float](repeating: 0, count: outFeatures), activation: activation)
        return append(.fullyConnected(fc), [x], .vector(outFeatures), name)
    }

    /// Concatenation along channels; all inputs share height and width.
    public mutating func concat(_ xs: [ValueID], name: String? = nil) throws -> ValueID {
        try expect(!xs.isEmpty, name, "Concat", "needs at least one input")
        let first = shape(of: xs[0])
        var channels = 0
        for x in xs {
            let s = shape(of: x)
            try expect(s.height == first.height && s.width == first.width, name, "Concat",
                       "inputs \(first) and \(s) differ in height or width")
            channels += s.channels
        }
        let out = TensorShape(channels: channels, height: first.height, width: first.width)
        try checkSize(out, name, "Concat")
        return append(.concat, xs, out, name)
    }

    /// Divides each sample by its L2 norm.
    public mutating func l2Normalize(_ x: ValueID, name: String? = nil) throws -> ValueID {
        append(.l2Normalize, [x], shape(of: x), name)
    }

    // MARK: - Internals

    /// Appends a node without checks (used by passes that rewrite an already-checked graph).
    mutating func append(_ op: Operation, _ inputs: [ValueID], _ shape: TensorShape, _ name: String?) -> ValueID {
        let id = ValueID(graph.values.count)
        let nodeName = name ?? "op_\(graph.nodes.count)"
        graph.values.append(ValueInfo(shape: shape, name: nodeName))
        graph.nodes.append(Node(name: nodeName, operation: op, inputs: inputs, output: id))
        return id
    }

    private mutating func binary(_ op: Operation, _ a: ValueID, _ b: ValueID, _ name: String?) throws -> ValueID {
        let sa = shape(of: a), sb = shape(of: b)
        let ok = sa == sb || (sb.channels == sa.channels && sb.area == 1)
        try expect(ok, name, op.name, "cannot broadcast \(sb) onto \(sa)")
        return append(op, [a, b], sa, name)
    }

    private func poolShape(_ s: TensorShape, _ p: Pooling, _ name: String?, _ op: String) throws -> TensorShape {
        try expect(p.kernelHeight > 0 && p.kernelWidth > 0 && p.strideY > 0 && p.strideX > 0, name, op,
                   "kernel and stride must be positive")
        try expect(p.padding.top >= 0 && p.padding.left >= 0 && p.padding.bottom >= 0 && p.padding.right >= 0
                   && p.padding.top < p.kernelHeight && p.padding.left < p.kernelWidth
                   && p.padding.bottom < p.kernelHeight && p.padding.right < p.kernelWidth,
                   name, op, "padding must be smaller than the window")
        func size(_ n: Int, _ lo: Int, _ hi: Int, _ k: Int, _ st: Int) -> Int {
            let span = n + lo + hi - k
            if span < 0 { return 0 }
            var o = (p.ceilMode ? (span + st - 1) / st : span / st) + 1
            if p.ceilMode && (o - 1) * st >= n + lo { o -= 1 }  // last window must start inside
            return o
        }
        let out = TensorShape(channels: s.channels,
                              height: size(s.height, p.padding.top, p.padding.bottom, p.kernelHeight, p.strideY),
                              width: size(s.width, p.padding.left, p.padding.right, p.kernelWidth, p.strideX))
        try expect(out.height > 0 && out.width > 0, name, op, "window larger than input \(s)")
        return out
    }

    private func checkActivation(_ a: Activation, channels: Int, _ name: String?, _ op: String) throws {
        if case .prelu(let slopes) = a {
            try expect(slopes.count == channels, name, op, "PReLU needs \(channels) slopes, got \(slopes.count)")
        }
    }

    private func checkSize(_ s: TensorShape, _ name: String?, _ op: String) throws {
        try expect(s.channels > 0 && s.height > 0 && s.width > 0 && s.count <= Self.maxElementsPerValue,
                   name, op, "output shape \(s) is empty or too large")
    }

    private func expect(_ condition: Bool, _ name: String?, _ op: String, _ message: @autoclosure () -> String) throws {
        if !condition {
            throw EngineError(.invalidShape, "node '\(name ?? "op_\(graph.nodes.count)")' (\(op)): \(message())")
        }
    }
}
