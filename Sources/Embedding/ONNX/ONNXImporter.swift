import CFaceGateProto

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Loads an ONNX model (`.onnx`, parsed with protobuf-c) into a `Graph`.
///
/// Supports the operators MobileNetV2/MobileFaceNet/ResNet face exports use: Conv (groups,
/// asymmetric pads, strides, dilation 1), BatchNormalization, Relu, Clip, PRelu, LeakyRelu,
/// Sigmoid, Add/Mul/Sub/Div (constant operands broadcast per channel or scalar; Add/Mul of two
/// activations), GlobalAveragePool, AveragePool, MaxPool, Flatten, Reshape (to a vector),
/// Squeeze/Unsqueeze of vectors, Gemm, MatMul, Identity, Dropout, Constant, Concat, and
/// Shape/Gather/Cast arithmetic on constants (e.g. `x.view(x.size(0), -1)`). The batch
/// dimension is free: a model exported with batch 1 (even with a constant `Reshape` to `[1, D]`)
/// runs with any batch. Anything else fails here, with the file, node name and op type.
public enum ONNXImporter {
    /// Largest model file accepted, bytes.
    public static let maxFileSize = 1 << 30

    /// Reads and converts a model file.
    /// - Throws: `EngineError` (`.fileUnreadable`, `.malformedModel`, `.unsupportedOperator`,
    ///   `.invalidShape`), with the file path in the message.
    public static func load(contentsOf path: String) throws -> Graph {
        guard let f = fopen(path, "rb") else {
            throw EngineError(.fileUnreadable, "\(path): cannot open (\(String(cString: strerror(errno))))")
        }
        defer { fclose(f) }
        var bytes = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, f) }
            if n > 0 { bytes.append(contentsOf: chunk[0..<n]) }
            if bytes.count > maxFileSize { throw EngineError(.malformedModel, "\(path): larger than \(maxFileSize) bytes") }
            if n < chunk.count { break }
        }
        if ferror(f) != 0 { throw EngineError(.fileUnreadable, "\(path): read error") }
        return try load(bytes: bytes, name: path)
    }

    /// Converts model bytes; `name` labels messages (usually the file path).
    public static func load(bytes: [UInt8], name: String = "<memory>") throws -> Graph {
        guard !bytes.isEmpty else { throw EngineError(.malformedModel, "\(name): empty file") }
        let model = bytes.withUnsafeBufferPointer { onnx__model_proto__unpack(nil, $0.count, $0.baseAddress) }
        guard let model else {
            throw EngineError(.malformedModel, "\(name): not a valid ONNX protobuf (truncated or corrupt)")
        }
        defer { onnx__model_proto__free_unpacked(model, nil) }
        guard let g = model.pointee.graph else { throw EngineError(.malformedModel, "\(name): model has no graph") }
        var state = ONNXGraphConverter(file: name)
        return try state.convert(UnsafePointer(g))
    }
}

/// What an ONNX tensor name refers to while converting.
private enum Symbol {
    case value(ValueID)
    case constant(ONNXConstant)
    /// `Transpose(perm [0, 2, 3, 1])` of a value: an NHWC view that only a flatten may consume.
    case channelsLast(ValueID)
}

/// The node-by-node conversion state of one graph.
private struct ONNXGraphConverter {
    let file: String
    var builder = GraphBuilder(input: TensorShape(channels: 1, height: 1, width: 1))
    var symbols = [String: Symbol]()
    /// Name of the graph input.
    var inputName = ""

    init(file: String) { self.file = file }

    mutating func convert(_ g: UnsafePointer<Onnx__GraphProto>) throws -> Graph {
        let gp = g.pointee
        for i in 0..<gp.n_initializer {
            guard let t = gp.initializer[i] else { continue }
            let nm = t.pointee.name.map { String(cString: $0) } ?? ""
            symbols[nm] = .constant(try ONNXConstant(t, context: "\(file): initializer '\(nm)'"))
        }
        // The graph input: the first declared input that is not an initializer.
        var inputName: String?
        var inputShape: TensorShape?
        for i in 0..<gp.n_input {
            guard let vi = gp.input[i] else { continue }
            let nm = vi.pointee.name.map { String(cString: $0) } ?? ""
            if symbols[nm] != nil { continue }
            guard inputName == nil else {
                throw EngineError(.unsupportedOperator, "\(file): more than one graph input ('\(inputName!)', '\(nm)')")
            }
            inputName = nm
            inputShape = try Self.shape(of: vi, context: "\(file): input '\(nm)'")
        }
        guard let inputName, let inputShape else { throw EngineError(.malformedModel, "\(file): graph has no input") }
        builder = GraphBuilder(input: inputShape, name: inputName)
        symbols[inputName] = .value(builder.input)
        self.inputName = inputName

        for i in 0..<gp.n_node {
            guard let np = gp.node[i] else { throw EngineError(.malformedModel, "\(file): null node \(i)") }
            let node = ONNXNodeView(UnsafePointer(np), index: i, file: file)
            do {
                try convertNode(node)
            } catch let e as EngineError where !e.message.hasPrefix(file) {
                throw EngineError(e.code, "\(file): \(e.message)")
            }
        }
        guard gp.n_output >= 1, let out = gp.output[0], let outName = out.pointee.name.map({ String(cString: $0) }) else {
            throw EngineError(.malformedModel, "\(file): graph has no output")
        }
        guard case .value(let v)? = symbols[outName] else {
            throw EngineError(.malformedModel, "\(file): graph output '\(outName)' is not computed from the input")
        }
        return try builder.build(output: v)
    }

    static func shape(of vi: UnsafePointer<Onnx__ValueInfoProto>, context: String) throws -> TensorShape {
        guard let tp = vi.pointee.type, tp.pointee.value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE,
              let tt = tp.pointee.tensor_type, let sh = tt.pointee.shape
        else { throw EngineError(.malformedModel, "\(context): not a tensor with a shape") }
        if tt.pointee.has_elem_type != 0 && tt.pointee.elem_type != 1 {
            throw EngineError(.unsupportedOperator, "\(context): element type \(tt.pointee.elem_type), only float32 inputs are supported")
        }
        var dims = [Int?]()
        for i in 0..<sh.pointee.n_dim {
            guard let d = sh.pointee.dim[i] else { dims.append(nil); continue }
            dims.append(d.pointee.value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE ? Int(clamping: d.pointee.dim_value) : nil)
        }
        guard dims.count == 4, let c = dims[1], let h = dims[2], let w = dims[3], c > 0, h > 0, w > 0,
              c <= 4096, h <= 8192, w <= 8192
        else {
            throw EngineError(.invalidShape, "\(context): input must be N x C x H x W with fixed C, H, W, got \(dims.map { $0.map(String.init) ?? "?" })")
        }
        return TensorShape(channels: c, height: h, width: w)
    }

    // MARK: - Symbols

    func value(_ node: ONNXNodeView, _ i: Int) throws -> ValueID {
        guard i < node.inputs.count else { throw node.fail(.malformedModel, "missing input \(i)") }
        switch symbols[node.inputs[i]] {
        case .value(let v)?: return v
        case .constant?: throw node.fail("input '\(node.inputs[i])' must be computed, not constant")
        case .channelsLast?:
            throw node.fail("input '\(node.inputs[i])' is a Transpose to channels-last, which is supported only when flattened next (Flatten, Reshape to [N, D])")
        case nil: throw node.fail(.malformedModel, "input '\(node.inputs[i])' is not defined before use")
        }
    }

    func constant(_ node: ONNXNodeView, _ i: Int) throws -> ONNXConstant? {
        guard i < node.inputs.count, !node.inputs[i].isEmpty else { return nil }
        switch symbols[node.inputs[i]] {
        case .constant(let c)?: return c
        case .value?, .channelsLast?: throw node.fail("input '\(node.inputs[i])' must be a constant")
        case nil: throw node.fail(.malformedModel, "input '\(node.inputs[i])' is not defined before use")
        }
    }

    func isConstant(_ node: ONNXNodeView, _ i: Int) -> Bool {
        if case .constant? = symbols[node.inputs[i]] { return true }
        return false
    }

    mutating func define(_ node: ONNXNodeView, _ s: Symbol) throws {
        guard let out = node.outputs.first, !out.isEmpty else { throw node.fail(.malformedModel, "no output") }
        symbols[out] = s
    }

    // MARK: - Operators

    // swiftlint:disable:next cyclomatic_complexity function_body_length
    mutating func convertNode(_ node: ONNXNodeView) throws {
        guard node.domain.isEmpty || node.domain == "ai.onnx" else {
            throw node.fail("operator domain '\(node.domain)' is not supported")
        }
        let nm = node.name
        switch node.opType {
        case "Constant":
            if let t = node.tensor("value") {
                try define(node, .constant(try ONNXConstant(t, context: node.context)))
            } else if let f = node.floats("value_floats") {
                try define(node, .constant(ONNXConstant(dims: [f.count], floats: f)))
            } else if node.has("value_float") {
                try define(node, .constant(ONNXConstant(dims: [], floats: [node.float("value_float", 0)])))
            } else if let v = node.ints("value_ints") {
                try define(node, .constant(ONNXConstant(dims: [v.count], floats: v.map(Float.init), ints: v)))
            } else if node.has("value_int") {
                let v = node.int("value_int", 0)
                try define(node, .constant(ONNXConstant(dims: [], floats: [Float(v)], ints: [v])))
            } else {
                throw node.fail("Constant without a supported value attribute")
            }
        case "Identity", "Dropout":
            guard node.inputs.count >= 1, let s = symbols[node.inputs[0]] else { throw node.fail(.malformedModel, "undefined input") }
            try define(node, s)
        case "Conv":
            try convertConv(node)
        case "BatchNormalization":
            let x = try value(node, 0)
            let ch = builder.shape(of: x).channels
            guard let g = try constant(node, 1), let b = try constant(node, 2), let m = try constant(node, 3),
                  let v = try constant(node, 4), [g, b, m, v].allSatisfy({ $0.floats.count == ch })
            else { throw node.fail(.invalidShape, "scale, bias, mean and variance must be \(ch) constants") }
            let eps = node.float("epsilon", 1e-5)
            var scale = [Float](repeating: 0, count: ch), bias = scale
            for c in 0..<ch {
                scale[c] = g.floats[c] / (v.floats[c] + eps).squareRoot()
                bias[c] = b.floats[c] - m.floats[c] * scale[c]
            }
            try define(node, .value(try builder.affine(x, scale: scale, bias: bias, name: nm)))
        case "Relu":
            try define(node, .value(try builder.activation(try value(node, 0), .relu, name: nm)))
        case "Sigmoid":
            try define(node, .value(try builder.activation(try value(node, 0), .sigmoid, name: nm)))
        case "Clip":
            let x = try value(node, 0)
            var lo = node.float("min", -.greatestFiniteMagnitude), hi = node.float("max", .greatestFiniteMagnitude)
            if let c = try constant(node, 1) { guard c.floats.count == 1 else { throw node.fail("min must be a scalar") }; lo = c.floats[0] }
            if let c = try constant(node, 2) { guard c.floats.count == 1 else { throw node.fail("max must be a scalar") }; hi = c.floats[0] }
            let act: Activation = (lo == 0 && hi == .greatestFiniteMagnitude) ? .relu : .clip(min: lo, max: hi)
            try define(node, .value(try builder.activation(x, act, name: nm)))
        case "PRelu", "LeakyRelu":
            let x = try value(node, 0)
            let ch = builder.shape(of: x).channels
            var slopes: [Float]
            if node.opType == "LeakyRelu" {
                slopes = [Float](repeating: node.float("alpha", 0.01), count: ch)
            } else {
                guard let s = try constant(node, 1), s.floats.count == 1 || (s.floats.count == ch && s.dims.filter({ $0 != 1 }).count <= 1)
                else { throw node.fail(.invalidShape, "slope must be a scalar or one value per channel (\(ch))") }
                slopes = s.floats.count == 1 ? [Float](repeating: s.floats[0], count: ch) : s.floats
            }
            try define(node, .value(try builder.activation(x, .prelu(slopes: slopes), name: nm)))
        case "Add", "Sub", "Mul", "Div":
            try convertBinary(node)
        case "GlobalAveragePool":
            try define(node, .value(try builder.globalAveragePool(try value(node, 0), name: nm)))
        case "MaxPool", "AveragePool":
            let x = try value(node, 0)
            guard let k = node.ints("kernel_shape"), k.count == 2 else { throw node.fail("kernel_shape must be 2-D") }
            if let d = node.ints("dilations"), d.contains(where: { $0 != 1 }) { throw node.fail("dilation \(d) is not supported") }
            let s = node.ints("strides") ?? [1, 1]
            let p = try pads(node, kernel: k, strides: s, input: builder.shape(of: x))
            guard s.count == 2 else { throw node.fail(.invalidShape, "strides must be 2-D") }
            let pool = Pooling(kernelHeight: k[0], kernelWidth: k[1], strideY: s[0], strideX: s[1], padding: p,
                               ceilMode: node.int("ceil_mode", 0) != 0, countIncludesPadding: node.int("count_include_pad", 0) != 0)
            let y = node.opType == "MaxPool" ? try builder.maxPool(x, pool, name: nm) : try builder.averagePool(x, pool, name: nm)
            try define(node, .value(y))
        case "Flatten":
            guard node.int("axis", 1) == 1 else { throw node.fail("only axis 1 is supported") }
            if let x = channelsLastInput(node) {
                try define(node, .value(try builder.flattenChannelsLast(x, name: nm)))
            } else {
                try define(node, .value(try builder.flatten(try value(node, 0), name: nm)))
            }
        case "Transpose":
            try convertTranspose(node)
        case "Reshape":
            try convertReshape(node)
        case "Squeeze", "Unsqueeze":
            if isConstant(node, 0) {
                guard let c = try constant(node, 0) else { throw node.fail(.malformedModel, "missing input") }
                let axesInput = try constant(node, 1)
                let axes = node.ints("axes") ?? axesInput?.ints ?? []
                var dims = c.dims
                if node.opType == "Unsqueeze" {
                    for a in axes.sorted() { let ax = a < 0 ? a + dims.count + 1 : a; guard ax >= 0, ax <= dims.count else { throw node.fail(.invalidShape, "bad axis \(a)") }; dims.insert(1, at: ax) }
                } else {
                    dims = axes.isEmpty ? dims.filter { $0 != 1 } : dims.enumerated().filter { !axes.contains($0.offset) && !axes.contains($0.offset - dims.count) }.map(\.element)
                }
                try define(node, .constant(ONNXConstant(dims: dims, floats: c.floats, ints: c.ints)))
            } else {
                let x = try value(node, 0)
                guard builder.shape(of: x).area == 1 else { throw node.fail("only vectors ([N, C, 1, 1] / [N, C]) can be squeezed or unsqueezed") }
                try define(node, .value(x))
            }
        case "Gemm":
            try convertGemm(node)
        case "MatMul":
            let x = try value(node, 0)
            guard let w = try constant(node, 1), w.dims.count == 2 else { throw node.fail("second input must be a 2-D constant") }
            let inF = builder.shape(of: x).count
            guard w.dims[0] == inF else { throw node.fail(.invalidShape, "weights \(w.dims) do not match input length \(inF)") }
            let outF = w.dims[1]
            var wt = [Float](repeating: 0, count: inF * outF)
            for i in 0..<inF { for o in 0..<outF { wt[o * inF + i] = w.floats[i * outF + o] } }
            try define(node, .value(try builder.fullyConnected(x, outFeatures: outF, weights: wt, bias: nil, name: nm)))
        case "Concat":
            if (0..<node.inputs.count).allSatisfy({ isConstant(node, $0) }) {
                var ints = [Int](), floats = [Float]()
                for i in 0..<node.inputs.count {
                    guard let c = try constant(node, i), c.dims.count <= 1 else { throw node.fail("only 1-D constant concat is supported") }
                    ints += c.ints; floats += c.floats
                }
                try define(node, .constant(ONNXConstant(dims: [floats.count], floats: floats, ints: ints)))
            } else {
                guard node.int("axis", 1) == 1 else { throw node.fail("only channel concat (axis 1) is supported") }
                let xs = try (0..<node.inputs.count).map { try value(node, $0) }
                try define(node, .value(try builder.concat(xs, name: nm)))
            }
        case "Shape":
            let s = builder.shape(of: try value(node, 0))
            // The batch entry reads 1; `Reshape` treats a leading 1 as "any batch".
            let dims = [1, s.channels, s.height, s.width]
            try define(node, .constant(ONNXConstant(dims: [4], floats: dims.map(Float.init), ints: dims)))
        case "Gather":
            guard let data = try constant(node, 0), let idx = try constant(node, 1), data.dims.count == 1, node.int("axis", 0) == 0
            else { throw node.fail("only Gather on 1-D constants is supported") }
            var ints = [Int](), floats = [Float]()
            for i in idx.ints {
                let j = i < 0 ? i + data.floats.count : i
                guard j >= 0, j < data.floats.count else { throw node.fail(.invalidShape, "index \(i) out of range") }
                floats.append(data.floats[j]); if !data.ints.isEmpty { ints.append(data.ints[j]) }
            }
            try define(node, .constant(ONNXConstant(dims: idx.dims, floats: floats, ints: ints)))
        case "Cast":
            guard let c = try constant(node, 0) else { throw node.fail("only Cast of constants is supported") }
            try define(node, .constant(c))
        default:
            throw node.fail("operator '\(node.opType)' is not supported")
        }
    }

    func pads(_ node: ONNXNodeView, kernel: [Int], strides: [Int], input: TensorShape) throws -> Padding {
        let auto = node.string("auto_pad") ?? "NOTSET"
        switch auto {
        case "NOTSET", "":
            let p = node.ints("pads") ?? [0, 0, 0, 0]
            guard p.count == 4 else { throw node.fail(.invalidShape, "pads must have 4 values, got \(p)") }
            return Padding(top: p[0], left: p[1], bottom: p[2], right: p[3])
        case "VALID":
            return .zero
        case "SAME_UPPER", "SAME_LOWER":
            guard strides.count == 2, kernel.count == 2, strides.allSatisfy({ $0 > 0 }) else { throw node.fail(.invalidShape, "bad strides") }
            func split(_ n: Int, _ k: Int, _ s: Int) -> (Int, Int) {
                let out = (n + s - 1) / s
                let total = max(0, (out - 1) * s + k - n)
                return auto == "SAME_UPPER" ? (total / 2, total - total / 2) : (total - total / 2, total / 2)
            }
            let (t, b) = split(input.height, kernel[0], strides[0]), (l, r) = split(input.width, kernel[1], strides[1])
            return Padding(top: t, left: l, bottom: b, right: r)
        default:
            throw node.fail("auto_pad '\(auto)' is not supported")
        }
    }

    mutating func convertConv(_ node: ONNXNodeView) throws {
        let x = try value(node, 0)
        guard let w = try constant(node, 1), w.dims.count == 4 else { throw node.fail("weights must be a 4-D constant (2-D convolution)") }
        let b = try constant(node, 2)
        if let d = node.ints("dilations"), d.contains(where: { $0 != 1 }) { throw node.fail("dilation \(d) is not supported") }
        let k = node.ints("kernel_shape") ?? [w.dims[2], w.dims[3]]
        guard k == [w.dims[2], w.dims[3]] else { throw node.fail(.invalidShape, "kernel_shape \(k) differs from weights \(w.dims)") }
        let s = node.ints("strides") ?? [1, 1]
        guard s.count == 2 else { throw node.fail(.invalidShape, "strides must be 2-D") }
        let p = try pads(node, kernel: k, strides: s, input: builder.shape(of: x))
        let groups = node.int("group", 1)
        let inC = builder.shape(of: x).channels
        guard groups > 0, w.dims[1] * groups == inC else {
            throw node.fail(.invalidShape, "weights \(w.dims) with group \(groups) do not match \(inC) input channels")
        }
        let y = try builder.convolution(
            x, outChannels: w.dims[0], kernelHeight: k[0], kernelWidth: k[1], strideY: s[0], strideX: s[1],
            padding: p, groups: groups, weights: w.floats, bias: b?.floats, name: node.name)
        try define(node, .value(y))
    }

    mutating func convertBinary(_ node: ONNXNodeView) throws {
        guard node.inputs.count == 2 else { throw node.fail(.malformedModel, "needs two inputs") }
        let c0 = isConstant(node, 0), c1 = isConstant(node, 1)
        let op = node.opType
        if !c0 && !c1 {
            let a = try value(node, 0), b = try value(node, 1)
            switch op {
            case "Add":
                let (sa, sb) = (builder.shape(of: a), builder.shape(of: b))
                let (big, small) = sa.count >= sb.count ? (a, b) : (b, a)
                _ = (sa, sb)
                try define(node, .value(try builder.add(big, small, name: node.name)))
            case "Mul":
                let (sa, sb) = (builder.shape(of: a), builder.shape(of: b))
                let (big, small) = sa.count >= sb.count ? (a, b) : (b, a)
                try define(node, .value(try builder.multiply(big, small, name: node.name)))
            default:
                throw node.fail("\(op) of two computed tensors is not supported")
            }
            return
        }
        if c0 && c1 {
            guard let a = try constant(node, 0), let b = try constant(node, 1), a.floats.count == b.floats.count || b.floats.count == 1
            else { throw node.fail("constant \(op) needs equal shapes or a scalar") }
            var vals = [Float]()
            for i in a.floats.indices {
                let (u, v) = (a.floats[i], b.floats[b.floats.count == 1 ? 0 : i])
                switch op {
                case "Add": vals.append(u + v)
                case "Sub": vals.append(u - v)
                case "Mul": vals.append(u * v)
                default: vals.append(u / v)
                }
            }
            let ints: [Int] = a.ints.isEmpty ? [] : vals.map { $0.isFinite && abs($0) < 1e15 ? Int($0) : 0 }
            try define(node, .constant(ONNXConstant(dims: a.dims, floats: vals, ints: ints)))
            return
        }
        let x = try value(node, c0 ? 1 : 0)
        guard let k = try constant(node, c0 ? 0 : 1) else { throw node.fail(.malformedModel, "missing constant") }
        let ch = builder.shape(of: x).channels
        // A constant broadcasts per channel ([C], [C,1,1], [1,C,1,1]) or is a scalar.
        let nonUnit = k.dims.filter { $0 != 1 }
        guard k.floats.count == 1 || (k.floats.count == ch && nonUnit.count <= 1
              && (k.dims.count <= 1 || k.dims.count == 2 || k.dims.count == 3 && k.dims[0] == ch || k.dims.count == 4 && k.dims[1] == ch))
        else { throw node.fail(.invalidShape, "constant of shape \(k.dims) does not broadcast per channel onto \(ch) channels") }
        let v = k.floats.count == 1 ? [Float](repeating: k.floats[0], count: ch) : k.floats
        let ones = [Float](repeating: 1, count: ch), zeros = [Float](repeating: 0, count: ch)
        let scale: [Float], bias: [Float]
        switch (op, c0) {
        case ("Add", _): (scale, bias) = (ones, v)
        case ("Sub", false): (scale, bias) = (ones, v.map { -$0 })
        case ("Sub", true): (scale, bias) = (ones.map { -$0 }, v)
        case ("Mul", _): (scale, bias) = (v, zeros)
        case ("Div", false): (scale, bias) = (v.map { 1 / $0 }, zeros)
        default: throw node.fail("dividing a constant by a computed tensor is not supported")
        }
        try define(node, .value(try builder.affine(x, scale: scale, bias: bias, name: node.name)))
    }

    mutating func convertReshape(_ node: ONNXNodeView) throws {
        if isConstant(node, 0) {
            guard let c = try constant(node, 0), let t = try constant(node, 1) else { throw node.fail(.malformedModel, "missing input") }
            try define(node, .constant(ONNXConstant(dims: t.ints.map { max($0, 1) }, floats: c.floats, ints: c.ints)))
            return
        }
        let channelsLast = channelsLastInput(node)
        let x = try channelsLast ?? value(node, 0)
        guard let t = try constant(node, 1), !t.ints.isEmpty else { throw node.fail("target shape must be an integer constant") }
        let s = builder.shape(of: x)
        let rest = Array(t.ints.dropFirst())
        // The leading entry is the batch (0 = copy, -1 = infer, 1 = a batch-1 export): any batch runs.
        guard [0, -1, 1].contains(t.ints[0]) || t.ints[0] == s.count && rest.isEmpty == false else {
            throw node.fail("target shape \(t.ints) must keep the batch as the first dimension")
        }
        let known = rest.filter { $0 > 0 }.reduce(1, &*)
        let resolved = rest.map { $0 == -1 ? (known > 0 ? s.count / known : 0) : ($0 == 0 ? 0 : $0) }
        let total = resolved.reduce(1, &*)
        if rest.count == 1 && (rest[0] == -1 || rest[0] == s.count) {
            let flat = channelsLast != nil ? try builder.flattenChannelsLast(x, name: node.name) : try builder.flatten(x, name: node.name)
            try define(node, .value(flat))
        } else if channelsLast != nil {
            throw node.fail("reshape of a channels-last Transpose to \(t.ints) is not supported (only flattening to [N, D])")
        } else if rest.count == 3 && resolved == [s.channels, s.height, s.width] {
            try define(node, .value(x))
        } else if s.area == 1 && total == s.count && resolved.first == s.count {
            try define(node, .value(x))  // vector <-> [N, C, 1, 1]
        } else {
            throw node.fail("reshape of \(s) to \(t.ints) is not supported (only flattening to [N, D])")
        }
    }

    /// The value under a pending channels-last Transpose feeding input 0, if that is what it is.
    func channelsLastInput(_ node: ONNXNodeView) -> ValueID? {
        guard let name = node.inputs.first, case .channelsLast(let x)? = symbols[name] else { return nil }
        return x
    }

    /// Transpose, where face models use it: no-op permutations (identity, or moving size-1 axes
    /// of a vector), constants, NCHW -> NHWC before a flatten and the NHWC -> NCHW of an NHWC
    /// graph input (TensorFlow/Keras exports).
    mutating func convertTranspose(_ node: ONNXNodeView) throws {
        if isConstant(node, 0) {
            guard let c = try constant(node, 0), c.dims.count == 2 else { throw node.fail("only 2-D constants can be transposed") }
            let perm = node.ints("perm") ?? [1, 0]
            guard perm == [1, 0] || perm == [0, 1] else { throw node.fail(.invalidShape, "perm \(perm) is not a permutation of 2 axes") }
            if perm == [0, 1] { try define(node, .constant(c)); return }
            let (r, k) = (c.dims[0], c.dims[1])
            var floats = [Float](repeating: 0, count: c.floats.count)
            for i in 0..<r { for j in 0..<k { floats[j * r + i] = c.floats[i * k + j] } }
            try define(node, .constant(ONNXConstant(dims: [k, r], floats: floats)))
            return
        }
        // NHWC -> NCHW of a channels-last value: the value itself. The graph input of a
        // TensorFlow/Keras export is NHWC and reaches the network through this Transpose: the
        // engine takes the same images as NCHW (like every other model), and the raw NHWC input
        // stays available as a channels-last view (e.g. for a flatten).
        let perm0 = node.ints("perm")
        if perm0 == [0, 3, 1, 2], let name = node.inputs.first {
            if case .channelsLast(let x)? = symbols[name] { try define(node, .value(x)); return }
            if case .value(let v)? = symbols[name], v == builder.input, builder.nodeCount == 0, name == inputName {
                let nhwc = builder.shape(of: v)  // parsed as [C, H, W] = the file's [H, W, C]
                builder = GraphBuilder(input: TensorShape(channels: nhwc.width, height: nhwc.channels, width: nhwc.height),
                                       name: name)
                symbols[name] = .channelsLast(builder.input)
                try define(node, .value(builder.input))
                return
            }
        }
        let x = try value(node, 0)
        let s = builder.shape(of: x)
        guard let perm = perm0 else {
            throw node.fail("Transpose without perm reverses the batch axis, which is not supported")
        }
        guard perm.count == 4 || perm.count == 2, perm.sorted() == Array(0..<perm.count) else {
            throw node.fail(.invalidShape, "perm \(perm) is not a permutation of a 4-D (N, C, H, W) or 2-D (N, D) tensor")
        }
        guard perm[0] == 0 else { throw node.fail("perm \(perm) moves the batch axis, which is not supported") }
        if perm == Array(0..<perm.count) {
            try define(node, .value(x))
        } else if perm.count == 4 && s.area == 1 {
            try define(node, .value(x))  // [N, C, 1, 1]: every order of the size-1 axes is the same memory
        } else if perm == [0, 2, 3, 1] {
            try define(node, .channelsLast(x))
        } else {
            throw node.fail("perm \(perm) of \(s) is not supported (only NCHW -> NHWC before a flatten)")
        }
    }

    mutating func convertGemm(_ node: ONNXNodeView) throws {
        let x = try value(node, 0)
        guard node.int("transA", 0) == 0 else { throw node.fail("transA is not supported") }
        guard let w = try constant(node, 1), w.dims.count == 2 else { throw node.fail("B must be a 2-D constant") }
        let alpha = node.float("alpha", 1), beta = node.float("beta", 1)
        let transB = node.int("transB", 0) != 0
        let inF = builder.shape(of: x).count
        let (k, outF) = transB ? (w.dims[1], w.dims[0]) : (w.dims[0], w.dims[1])
        guard k == inF else { throw node.fail(.invalidShape, "B \(w.dims) does not match input length \(inF)") }
        var wt = [Float](repeating: 0, count: inF * outF)
        for o in 0..<outF {
            for i in 0..<inF { wt[o * inF + i] = alpha * (transB ? w.floats[o * inF + i] : w.floats[i * outF + o]) }
        }
        var bias: [Float]?
        if let c = try constant(node, 2) {
            guard c.floats.count == outF || c.floats.count == 1 else { throw node.fail(.invalidShape, "C \(c.dims) does not broadcast to \(outF)") }
            bias = (0..<outF).map { beta * c.floats[c.floats.count == 1 ? 0 : $0] }
        }
        try define(node, .value(try builder.fullyConnected(x, outFeatures: outF, weights: wt, bias: bias, name: node.name)))
    }
}
