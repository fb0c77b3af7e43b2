import CFaceGateProto

/// A constant tensor of an ONNX model (initializer or `Constant` node), decoded to Swift.
struct ONNXConstant: Sendable {
    /// Dimensions as stored (may be empty for a scalar).
    var dims: [Int]
    /// Floating-point values (float, float16 and double converted to float).
    var floats: [Float]
    /// Integer values (int64/int32 tensors); empty for float tensors.
    var ints: [Int]

    var count: Int { dims.reduce(1, *) }

    /// Decodes a TensorProto; throws `.malformedModel` / `.unsupportedOperator` with `context`.
    init(_ t: UnsafePointer<Onnx__TensorProto>, context: String) throws {
        let p = t.pointee
        var dims = [Int]()
        for i in 0..<p.n_dims {
            let d = p.dims[i]
            guard d >= 0, d < (1 << 31) else { throw EngineError(.invalidShape, "\(context): dimension \(d) out of range") }
            dims.append(Int(d))
        }
        var total = 1
        for d in dims {
            let (m, o) = total.multipliedReportingOverflow(by: d)
            guard !o, m <= (1 << 30) else { throw EngineError(.invalidShape, "\(context): tensor too large \(dims)") }
            total = m
        }
        self.dims = dims
        floats = []
        ints = []
        if p.has_data_location != 0 && p.data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL {
            throw EngineError(.unsupportedOperator, "\(context): external tensor data is not supported")
        }
        let raw: UnsafeRawBufferPointer? = p.has_raw_data != 0 && p.raw_data.len > 0 && p.raw_data.data != nil
            ? UnsafeRawBufferPointer(start: p.raw_data.data, count: p.raw_data.len) : nil
        func checkCount(_ n: Int) throws {
            guard n == total else {
                throw EngineError(.malformedModel, "\(context): \(dims) needs \(total) values, found \(n)")
            }
        }
        switch p.data_type {
        case 1:  // FLOAT
            if let raw {
                try checkCount(raw.count / 4)
                guard raw.count == total * 4 else { throw EngineError(.malformedModel, "\(context): raw_data size \(raw.count)") }
                floats = (0..<total).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
            } else {
                try checkCount(p.n_float_data)
                floats = Array(UnsafeBufferPointer(start: p.float_data, count: p.n_float_data))
            }
        case 10:  // FLOAT16
            if let raw {
                guard raw.count == total * 2 else { throw EngineError(.malformedModel, "\(context): raw_data size \(raw.count)") }
                floats = (0..<total).map { Self.half(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self))) }
            } else {
                try checkCount(p.n_int32_data)
                floats = (0..<total).map { Self.half(UInt16(truncatingIfNeeded: p.int32_data[$0])) }
            }
        case 11:  // DOUBLE
            if let raw {
                guard raw.count == total * 8 else { throw EngineError(.malformedModel, "\(context): raw_data size \(raw.count)") }
                floats = (0..<total).map { Float(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self)))) }
            } else {
                try checkCount(p.n_double_data)
                floats = (0..<total).map { Float(p.double_data[$0]) }
            }
        case 7:  // INT64
            if let raw {
                guard raw.count == total * 8 else { throw EngineError(.malformedModel, "\(context): raw_data size \(raw.count)") }
                ints = (0..<total).map { Int(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self))) }
            } else {
                try checkCount(p.n_int64_data)
                ints = (0..<total).map { Int(p.int64_data[$0]) }
            }
            floats = ints.map { Float($0) }
        case 6:  // INT32
            if let raw {
                guard raw.count == total * 4 else { throw EngineError(.malformedModel, "\(context): raw_data size \(raw.count)") }
                ints = (0..<total).map { Int(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: Int32.self))) }
            } else {
                try checkCount(p.n_int32_data)
                ints = (0..<total).map { Int(p.int32_data[$0]) }
            }
            floats = ints.map { Float($0) }
        default:
            throw EngineError(.unsupportedOperator, "\(context): tensor data type \(p.data_type) is not supported")
        }
    }

    init(dims: [Int], floats: [Float], ints: [Int] = []) {
        self.dims = dims
        self.floats = floats
        self.ints = ints
    }

    /// IEEE half bits to float (handles subnormals, infinities and NaN).
    static func half(_ h: UInt16) -> Float {
        let sign = UInt32(h >> 15) << 31
        let exp = Int((h >> 10) & 0x1f)
        let mant = UInt32(h & 0x3ff)
        if exp == 0 {
            let v = Float(mant) * (1.0 / 16_777_216.0)  // mant * 2^-24
            return sign != 0 ? -v : v
        }
        if exp == 31 { return Float(bitPattern: sign | 0x7f80_0000 | (mant << 13)) }
        return Float(bitPattern: sign | (UInt32(exp + 112) << 23) | (mant << 13))
    }
}
