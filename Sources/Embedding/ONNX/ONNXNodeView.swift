import CFaceGateProto

/// Read-only access to one ONNX NodeProto: names, inputs and typed attributes.
struct ONNXNodeView {
    let node: UnsafePointer<Onnx__NodeProto>
    /// `file: node 'name' (OpType)` for messages.
    let context: String
    let opType: String
    let name: String
    let inputs: [String]
    let outputs: [String]

    init(_ node: UnsafePointer<Onnx__NodeProto>, index: Int, file: String) {
        self.node = node
        let n = node.pointee
        opType = n.op_type.map { String(cString: $0) } ?? ""
        let outs = (0..<n.n_output).map { n.output[$0].map { String(cString: $0) } ?? "" }
        let given = n.name.map { String(cString: $0) } ?? ""
        name = given.isEmpty ? (outs.first.map { $0.isEmpty ? "node_\(index)" : $0 } ?? "node_\(index)") : given
        inputs = (0..<n.n_input).map { n.input[$0].map { String(cString: $0) } ?? "" }
        outputs = outs
        context = "\(file): node '\(name)' (\(opType.isEmpty ? "?" : opType))"
    }

    var domain: String { node.pointee.domain.map { String(cString: $0) } ?? "" }

    private func attribute(_ key: String) -> UnsafePointer<Onnx__AttributeProto>? {
        let n = node.pointee
        for i in 0..<n.n_attribute {
            guard let a = n.attribute[i], let nm = a.pointee.name else { continue }
            if String(cString: nm) == key { return UnsafePointer(a) }
        }
        return nil
    }

    func has(_ key: String) -> Bool { attribute(key) != nil }

    func int(_ key: String, _ fallback: Int) -> Int {
        guard let a = attribute(key), a.pointee.has_i != 0 else { return fallback }
        return Int(clamping: a.pointee.i)
    }

    func float(_ key: String, _ fallback: Float) -> Float {
        guard let a = attribute(key), a.pointee.has_f != 0 else { return fallback }
        return a.pointee.f
    }

    func ints(_ key: String) -> [Int]? {
        guard let a = attribute(key) else { return nil }
        return (0..<a.pointee.n_ints).map { Int(clamping: a.pointee.ints[$0]) }
    }

    func floats(_ key: String) -> [Float]? {
        guard let a = attribute(key) else { return nil }
        return Array(UnsafeBufferPointer(start: a.pointee.floats, count: a.pointee.n_floats))
    }

    func string(_ key: String) -> String? {
        guard let a = attribute(key), a.pointee.has_s != 0 else { return nil }
        let s = a.pointee.s
        guard s.len > 0, let d = s.data else { return "" }
        return String(decoding: UnsafeBufferPointer(start: d, count: s.len), as: UTF8.self)
    }

    func tensor(_ key: String) -> UnsafePointer<Onnx__TensorProto>? {
        guard let a = attribute(key), let t = a.pointee.t else { return nil }
        return UnsafePointer(t)
    }

    func fail(_ message: String) -> EngineError { fail(.unsupportedOperator, message) }

    func fail(_ code: EngineError.Code, _ message: String) -> EngineError {
        EngineError(code, "\(context): \(message)")
    }
}
