extension DlibNetwork {
    /// Converts the network to the engine's graph (same kernels as the ONNX path).
    ///
    /// The graph's input is `[3, rows, columns]` planar R, G, B with raw 0...255 pixel values;
    /// its first node applies dlib's `(pixel - mean[c]) / 256`. Its output is the descriptor
    /// (128 floats for the face model, not normalised).
    /// - Throws: `EngineError(.invalidShape)` when layer sizes do not chain, `.malformedModel`
    ///   when a skip/add_prev refers to a tag that does not exist.
    public func graph() throws -> Graph {
        var b = GraphBuilder(input: TensorShape(channels: 3, height: input.rows, width: input.columns))
        var x = try b.normalize(b.input, mean: input.channelMeans, scale: [Float](repeating: 1 / 256, count: 3),
                                name: "dlib_input")
        var tags: [Int: ValueID] = [:]
        for (index, layer) in layers.enumerated() {
            let name = "dlib_\(index)"
            switch layer {
            case .convolution(let c):
                x = try b.convolution(
                    x, outChannels: c.filters, kernelHeight: c.rows, kernelWidth: c.columns,
                    strideY: c.strideY, strideX: c.strideX,
                    padding: Padding(top: c.paddingY, left: c.paddingX, bottom: c.paddingY, right: c.paddingX),
                    groups: 1, weights: c.weights, bias: c.bias, activation: c.fusedReLU ? .relu : .none,
                    name: name + "_con")
            case .affine(let a):
                x = try b.affine(x, scale: a.gamma, bias: a.beta, name: name + "_affine")
            case .relu:
                x = try b.activation(x, .relu, name: name + "_relu")
            case .maxPool(let p):
                x = try b.maxPool(x, pooling(p, over: b.shape(of: x)), name: name + "_max_pool")
            case .averagePool(let p):
                if p.isGlobal {
                    x = try b.globalAveragePool(x, name: name + "_avg_pool_everything")
                } else {
                    x = try b.averagePool(x, pooling(p, over: b.shape(of: x)), name: name + "_avg_pool")
                }
            case .fullyConnected(let f):
                guard b.shape(of: x).count == f.inputs else {
                    throw EngineError(.invalidShape, "dlib fc layer \(index) expects \(f.inputs) inputs, got \(b.shape(of: x))")
                }
                // dlib stores [inputs][outputs]; the graph wants [outputs][inputs].
                var weights = [Float](repeating: 0, count: f.weights.count)
                for i in 0..<f.inputs {
                    for o in 0..<f.outputs { weights[o * f.inputs + i] = f.weights[i * f.outputs + o] }
                }
                x = try b.fullyConnected(x, outFeatures: f.outputs, weights: weights, bias: f.bias, name: name + "_fc")
            case .tag(let id):
                tags[id] = x
            case .skip(let id):
                guard let tagged = tags[id] else {
                    throw EngineError(.malformedModel, "dlib skip layer \(index) refers to tag\(id), which is not below it")
                }
                x = tagged
            case .addPrevious(let id):
                guard let tagged = tags[id] else {
                    throw EngineError(.malformedModel, "dlib add_prev layer \(index) refers to tag\(id), which is not below it")
                }
                // Equal shapes (most blocks): a plain add, which the optimiser fuses into the
                // convolution's epilogue together with the ReLU that follows.
                if b.shape(of: x) == b.shape(of: tagged) {
                    x = try b.add(x, tagged, name: name + "_add_prev")
                } else {
                    x = try b.paddedAdd(x, tagged, name: name + "_add_prev")
                }
            }
        }
        return try b.build(output: x)
    }

    /// Shape check of the whole network (used by the reader, so a bad file fails at load).
    func checkShapes(source: String) throws {
        do {
            _ = try graph()
        } catch let error as EngineError {
            throw EngineError(error.code == .invalidShape ? .malformedModel : error.code, "\(source): \(error.message)")
        }
    }

    private func pooling(_ p: DlibPooling, over shape: TensorShape) -> Pooling {
        let rows = p.rows == 0 ? shape.height : p.rows
        let columns = p.columns == 0 ? shape.width : p.columns
        return Pooling(kernelHeight: rows, kernelWidth: columns, strideY: p.strideY, strideX: p.strideX,
                       padding: Padding(top: p.paddingY, left: p.paddingX, bottom: p.paddingY, right: p.paddingX))
    }
}
