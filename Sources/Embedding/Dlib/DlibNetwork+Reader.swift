import Foundation

extension DlibNetwork {
    /// Reads a dlib DNN `.dat` file (e.g. `dlib_face_recognition_resnet_model_v1.dat`).
    ///
    /// - Throws: `EngineError(.fileUnreadable)` when the file cannot be read,
    ///   `.malformedModel` (naming the file and byte offset) when the bytes are truncated, corrupt
    ///   or inconsistent, `.unsupportedOperator` for layer types this reader does not know.
    public static func read(contentsOf url: URL) throws -> DlibNetwork {
        try parse(try DlibStreamReader.fileBytes(url), source: url.lastPathComponent)
    }

    /// Parses the bytes of a dlib DNN file; `source` names it in error messages.
    public static func parse(_ bytes: [UInt8], source: String = "<memory>") throws -> DlibNetwork {
        var r = DlibStreamReader(bytes: bytes, source: source)
        let lossVersion = try r.readInt()
        guard lossVersion == 1 else { throw r.error("add_loss_layer version \(lossVersion), expected 1") }
        let lossKind = try r.readString()
        let loss: Loss
        switch lossKind {
        case "loss_metric_2":
            loss = Loss(kind: lossKind, margin: try r.readFloat(), distanceThreshold: try r.readFloat())
        case "loss_metric_":
            loss = Loss(kind: lossKind, margin: 0.1, distanceThreshold: 0.75)
        default:
            throw EngineError(.unsupportedOperator, "\(source): loss layer '\(lossKind)' is not supported (expected loss_metric_)")
        }
        // Wrapper versions, outermost first, until the input layer's type string.
        var wrappers: [(version: Int, offset: Int)] = []
        while !r.nextIsString(withPrefix: "input") {
            let at = r.offset
            let version = try r.readInt(in: 1...3, "layer wrapper version")
            wrappers.append((version, at))
            guard wrappers.count <= 10_000 else { throw r.error("more than 10000 layer wrappers") }
        }
        guard !wrappers.isEmpty else { throw r.error("network has no layers") }
        let input = try readInput(&r)
        var records: [Record] = []
        for (index, wrapper) in wrappers.reversed().enumerated() {
            switch wrapper.version {
            case 1:
                records.append(.marker)
            default:
                let layer = try readDetails(&r)
                for _ in 0..<3 { _ = try r.readBool() }
                for _ in 0..<3 { _ = try r.readTensor() }
                if wrapper.version == 3 {
                    guard index == 0 else { throw r.error("wrapper version 3 (input layer holder) not innermost", at: wrapper.offset) }
                    _ = try r.readInt()  // sample_expansion_factor
                }
                records.append(.layer(layer))
            }
        }
        guard r.remaining == 0 else { throw r.error("\(r.remaining) unexpected bytes after the last layer") }
        let layers = try resolveMarkers(records, source: source)
        let network = DlibNetwork(loss: loss, input: input, layers: layers)
        try network.checkShapes(source: source)
        return network
    }

    private enum Record {
        case layer(DlibLayer)
        case marker
    }

    private static func readInput(_ r: inout DlibStreamReader) throws -> Input {
        let kind = try r.readString()
        guard kind == "input_rgb_image_sized" else {
            throw EngineError(.unsupportedOperator, "\(r.source): input layer '\(kind)' is not supported (expected input_rgb_image_sized)")
        }
        let means = [try r.readFloat(), try r.readFloat(), try r.readFloat()]
        let rows = try r.readInt(in: 1...4096, "input rows")
        let columns = try r.readInt(in: 1...4096, "input columns")
        return Input(channelMeans: means, rows: rows, columns: columns)
    }

    // swiftlint:disable:next function_body_length cyclomatic_complexity
    private static func readDetails(_ r: inout DlibStreamReader) throws -> DlibLayer {
        let start = r.offset
        let kind = try r.readString()
        switch kind {
        case "con_4", "con_5", "con_6":
            let params = try r.readTensor().data
            let filters = try r.readInt(in: 1...65536, "num_filters")
            let rows = try r.readInt(in: 1...1024, "kernel rows")
            let columns = try r.readInt(in: 1...1024, "kernel columns")
            let strideY = try r.readInt(in: 1...1024, "stride_y")
            let strideX = try r.readInt(in: 1...1024, "stride_x")
            let paddingY = try r.readInt(in: 0...1023, "padding_y")
            let paddingX = try r.readInt(in: 0...1023, "padding_x")
            let filterAlias = try r.readAliasTensor()
            let biasAlias = try r.readAliasTensor()
            for _ in 0..<4 { _ = try r.readFloat() }
            var useBias = true, fusedReLU = false
            if kind != "con_4" { useBias = try r.readBool() }
            if kind == "con_6" { fusedReLU = try r.readBool() }
            let f = filterAlias.shape
            guard f[0] == filters, f[2] == rows, f[3] == columns, f[1] > 0 else {
                throw r.error("\(kind): filter alias \(f) does not match \(filters) filters of \(rows)x\(columns)", at: start)
            }
            let biasCount = useBias ? biasAlias.count : 0
            guard biasCount == 0 || biasCount == filters, params.count >= filterAlias.count + biasCount else {
                throw r.error("\(kind): params hold \(params.count) floats, need \(filterAlias.count) + \(biasCount)", at: start)
            }
            return .convolution(DlibConvolution(
                filters: filters, inChannels: f[1], rows: rows, columns: columns, strideY: strideY, strideX: strideX,
                paddingY: paddingY, paddingX: paddingX, weights: Array(params[0..<filterAlias.count]),
                bias: biasCount > 0 ? Array(params[filterAlias.count..<(filterAlias.count + biasCount)]) : nil,
                fusedReLU: fusedReLU))
        case "fc_2", "fc_3":
            let outputs = try r.readInt(in: 1...(1 << 20), "num_outputs")
            let inputs = try r.readInt(in: 1...(1 << 24), "num_inputs")
            let params = try r.readTensor().data
            let weightAlias = try r.readAliasTensor()
            let biasAlias = try r.readAliasTensor()
            let biasMode = try r.readInt(in: 0...1, "bias_mode")
            for _ in 0..<4 { _ = try r.readFloat() }
            if kind == "fc_3" { _ = try r.readBool() }
            let biasCount = biasMode == 0 ? biasAlias.count : 0
            guard weightAlias.count == inputs * outputs, biasCount == 0 || biasCount == outputs,
                  params.count >= weightAlias.count + biasCount else {
                throw r.error("\(kind): params hold \(params.count) floats for \(inputs)x\(outputs) weights", at: start)
            }
            return .fullyConnected(DlibFullyConnected(
                outputs: outputs, inputs: inputs, weights: Array(params[0..<weightAlias.count]),
                bias: biasCount > 0 ? Array(params[weightAlias.count..<(weightAlias.count + biasCount)]) : nil))
        case "affine_", "affine_2":
            let params = try r.readTensor().data
            let gamma = try r.readAliasTensor()
            let beta = try r.readAliasTensor()
            let mode = try r.readInt(in: 0...1, "affine mode")
            var disabled = false
            if kind == "affine_2" { disabled = try r.readBool() }
            if disabled { return .affine(DlibAffine(gamma: [], beta: [])) }
            guard mode == 0 || (gamma.shape[2] == 1 && gamma.shape[3] == 1) else {
                throw EngineError(.unsupportedOperator, "\(r.source): byte offset \(start): affine FC_MODE with spatial parameters is not supported")
            }
            guard gamma.count == beta.count, params.count >= 2 * gamma.count else {
                throw r.error("\(kind): params hold \(params.count) floats for \(gamma.count) channels", at: start)
            }
            return .affine(DlibAffine(gamma: Array(params[0..<gamma.count]),
                                      beta: Array(params[gamma.count..<(2 * gamma.count)])))
        case "bn_con2", "bn_fc2":
            let params = try r.readTensor().data
            let gamma = try r.readAliasTensor()
            _ = try r.readAliasTensor()
            _ = try r.readTensor()  // means
            _ = try r.readTensor()  // invstds
            let runningMeans = try r.readTensor().data
            let runningVariances = try r.readTensor().data
            _ = try r.readInt()
            _ = try r.readInt()
            for _ in 0..<4 { _ = try r.readFloat() }
            let eps = try r.readFloat()
            let k = gamma.count
            guard params.count >= 2 * k, runningMeans.count == k, runningVariances.count == k else {
                throw r.error("\(kind): inconsistent batch-norm statistics for \(k) channels", at: start)
            }
            var scale = [Float](repeating: 0, count: k), shift = [Float](repeating: 0, count: k)
            for c in 0..<k {
                scale[c] = params[c] / (runningVariances[c] + eps).squareRoot()
                shift[c] = params[k + c] - scale[c] * runningMeans[c]
            }
            return .affine(DlibAffine(gamma: scale, beta: shift))
        case "relu_":
            return .relu
        case "relu_2":
            return try r.readBool() ? .affine(DlibAffine(gamma: [], beta: [])) : .relu
        case "max_pool_2", "avg_pool_2":
            var v: [Int] = []
            for name in ["nr", "nc", "stride_y", "stride_x", "padding_y", "padding_x"] {
                v.append(try r.readInt(in: 0...4096, "pool \(name)"))
            }
            guard v[2] > 0, v[3] > 0 else { throw r.error("\(kind): stride must be positive", at: start) }
            let pooling = DlibPooling(rows: v[0], columns: v[1], strideY: v[2], strideX: v[3], paddingY: v[4], paddingX: v[5])
            return kind == "max_pool_2" ? .maxPool(pooling) : .averagePool(pooling)
        case "add_prev_":
            return .addPrevious(tagID: 0)  // resolved by resolveMarkers
        default:
            throw EngineError(.unsupportedOperator, "\(r.source): byte offset \(start): layer type '\(kind)' is not supported")
        }
    }

    /// Assigns tag/skip IDs (not stored in the file) from the ResNet pattern: two adjacent markers
    /// are `tag2, skip1`; a lone marker is `tag1`; `add_prev` refers to tag2 when the latest marker
    /// before it was a skip, else to tag1.
    private static func resolveMarkers(_ records: [Record], source: String) throws -> [DlibLayer] {
        var layers: [DlibLayer] = []
        var i = 0
        var lastMarkerWasSkip = false
        while i < records.count {
            switch records[i] {
            case .marker:
                let pair = i + 1 < records.count && { if case .marker = records[i + 1] { return true }; return false }()
                if pair {
                    if i + 2 < records.count, case .marker = records[i + 2] {
                        throw EngineError(.unsupportedOperator, "\(source): three adjacent tag/skip layers; cannot infer their IDs")
                    }
                    layers.append(.tag(id: 2))
                    layers.append(.skip(tagID: 1))
                    lastMarkerWasSkip = true
                    i += 2
                    continue
                }
                layers.append(.tag(id: 1))
                lastMarkerWasSkip = false
            case .layer(let layer):
                if case .addPrevious = layer {
                    layers.append(.addPrevious(tagID: lastMarkerWasSkip ? 2 : 1))
                } else if case .affine(let a) = layer, a.gamma.isEmpty {
                    // A disabled affine/relu is the identity: drop it.
                } else {
                    layers.append(layer)
                }
            }
            i += 1
        }
        return layers
    }
}
