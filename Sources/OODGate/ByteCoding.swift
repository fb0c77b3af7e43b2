import Foundation

/// Little-endian writer for the gate's binary files.
struct ByteWriter {
    private(set) var bytes: [UInt8] = []

    mutating func tag(_ t: String) { bytes.append(contentsOf: Array(t.utf8)) }
    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func f32(_ v: Float) { u32(v.bitPattern) }
    mutating func f32s(_ v: [Float]) { for x in v { f32(x) } }
    mutating func string(_ s: String) {
        let utf8 = Array(s.utf8)
        u32(UInt32(utf8.count))
        bytes.append(contentsOf: utf8)
    }
}

/// Sized, checked little-endian reader: every read checks the remaining length first and a
/// failure names the file and the byte offset.
struct ByteReader {
    let bytes: [UInt8]
    let file: String
    private(set) var offset = 0

    init(bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
    }

    var remaining: Int { bytes.count - offset }

    func failure(_ what: String, at position: Int? = nil) -> GateError {
        GateError(.malformedFile, "\(file): \(what) at offset \(position ?? offset)")
    }

    mutating func need(_ n: Int, _ what: String) throws(GateError) {
        guard n >= 0, n <= remaining else {
            throw failure("truncated \(what) (need \(n) bytes, \(remaining) left)")
        }
    }

    mutating func tag(_ expected: String) throws(GateError) {
        let t = Array(expected.utf8)
        try need(t.count, "format tag")
        guard Array(bytes[offset..<(offset + t.count)]) == t else {
            throw failure("not a \(expected) file (bad format tag)")
        }
        offset += t.count
    }

    mutating func u8(_ what: String) throws(GateError) -> UInt8 {
        try need(1, what)
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u32(_ what: String) throws(GateError) -> UInt32 {
        try need(4, what)
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(bytes[offset + i]) << (8 * i) }
        offset += 4
        return v
    }

    mutating func u64(_ what: String) throws(GateError) -> UInt64 {
        try need(8, what)
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(bytes[offset + i]) << (8 * i) }
        offset += 8
        return v
    }

    /// A count in `range`, else an error naming `what`.
    mutating func count(_ what: String, in range: ClosedRange<Int>) throws(GateError) -> Int {
        let at = offset
        let v = Int(try u32(what))
        guard range.contains(v) else { throw failure("\(what) \(v) outside \(range)", at: at) }
        return v
    }

    /// A finite float.
    mutating func f32(_ what: String) throws(GateError) -> Float {
        let at = offset
        let v = Float(bitPattern: try u32(what))
        guard v.isFinite else { throw failure("\(what) is not finite", at: at) }
        return v
    }

    mutating func f32s(_ n: Int, _ what: String) throws(GateError) -> [Float] {
        try need(n * 4, what)
        var out = [Float]()
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try f32(what)) }
        return out
    }

    mutating func string(_ what: String, maxBytes: Int) throws(GateError) -> String {
        let n = try count("\(what) length", in: 0...maxBytes)
        try need(n, what)
        let at = offset
        let slice = Array(bytes[offset..<(offset + n)])
        offset += n
        guard let s = String(validating: slice, as: UTF8.self) else { throw failure("\(what) is not UTF-8", at: at) }
        return s
    }
}

/// 64-bit FNV-1a, the files' integrity check (catches truncation and corruption, not tampering).
func fnv1a64(_ bytes: ArraySlice<UInt8>) -> UInt64 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for b in bytes {
        h ^= UInt64(b)
        h &*= 0x100_0000_01B3
    }
    return h
}

/// Reads a whole file, mapping failures to `GateError.io`.
func readWholeFile(_ path: String) throws(GateError) -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw GateError(.io, "\(path): cannot read file")
    }
    return [UInt8](data)
}

/// Writes a whole file atomically, mapping failures to `GateError.io`.
func writeWholeFile(_ path: String, _ bytes: [UInt8]) throws(GateError) {
    do {
        try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
        throw GateError(.io, "\(path): cannot write file (\(error))")
    }
}
