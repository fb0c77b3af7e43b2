import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A sized, checked cursor over dlib's `serialize()` byte stream (see
/// shared/reference/dlib-model-format.md, section 1).
///
/// Every read checks the remaining length first and every count is checked against the bytes
/// left before anything is allocated, so a truncated or hostile file throws
/// `EngineError(.malformedModel)` naming the file and the byte offset, never traps.
struct DlibStreamReader {
    /// The file name used in messages.
    let source: String
    private let bytes: [UInt8]
    /// Offset of the next unread byte.
    private(set) var offset = 0

    init(bytes: [UInt8], source: String) {
        self.bytes = bytes
        self.source = source
    }

    /// Bytes not yet read.
    var remaining: Int { bytes.count - offset }

    /// An error at the current offset (or `at`).
    func error(_ message: String, at: Int? = nil) -> EngineError {
        EngineError(.malformedModel, "\(source): byte offset \(at ?? offset): \(message)")
    }

    /// Variable-length sign-magnitude integer (section 1.1).
    mutating func readInt() throws -> Int64 {
        let start = offset
        guard remaining >= 1 else { throw error("unexpected end of file reading an integer") }
        let control = bytes[offset]
        let size = Int(control & 0x0F)
        guard control & 0x70 == 0, (1...8).contains(size) else {
            throw error(String(format: "invalid integer control byte 0x%02x", control))
        }
        guard remaining >= 1 + size else { throw error("unexpected end of file inside an integer", at: start) }
        var magnitude: UInt64 = 0
        for i in 0..<size {
            magnitude |= UInt64(bytes[offset + 1 + i]) << UInt64(8 * i)
        }
        guard magnitude <= UInt64(Int64.max) else { throw error("integer out of range", at: start) }
        offset += 1 + size
        return control & 0x80 != 0 ? -Int64(magnitude) : Int64(magnitude)
    }

    /// An integer that must lie in `range` (counts, sizes, enum values).
    mutating func readInt(in range: ClosedRange<Int>, _ what: String) throws -> Int {
        let start = offset
        let value = try readInt()
        guard value >= Int64(range.lowerBound), value <= Int64(range.upperBound) else {
            throw error("\(what) = \(value) is outside \(range.lowerBound)...\(range.upperBound)", at: start)
        }
        return Int(value)
    }

    /// `float_details`: mantissa then exponent, value = m * 2^e (section 1.2).
    mutating func readFloat() throws -> Float {
        let start = offset
        if remaining >= 1, bytes[offset] & 0x70 != 0 {
            throw error("legacy ASCII float encoding is not supported")
        }
        let mantissa = try readInt()
        let exponent = try readInt()
        switch exponent {
        case 32000: return .infinity
        case 32001: return -.infinity
        case 32002: return .nan
        case -2000...2000: return Float(scalbn(Double(mantissa), Int32(exponent)))
        default: throw error("float exponent \(exponent) out of range", at: start)
        }
    }

    /// `'1'` or `'0'`.
    mutating func readBool() throws -> Bool {
        guard remaining >= 1 else { throw error("unexpected end of file reading a bool") }
        let byte = bytes[offset]
        guard byte == 0x30 || byte == 0x31 else { throw error(String(format: "invalid bool byte 0x%02x", byte)) }
        offset += 1
        return byte == 0x31
    }

    /// Length-prefixed string (section 1.4); printable tags only, at most `maxLength` bytes.
    mutating func readString(maxLength: Int = 256) throws -> String {
        let start = offset
        let length = try readInt(in: 0...maxLength, "string length")
        guard remaining >= length else { throw error("string of \(length) bytes runs past the end of the file", at: start) }
        let text = String(decoding: bytes[offset..<(offset + length)], as: UTF8.self)
        offset += length
        return text
    }

    /// Whether the next item is a string starting with `prefix` (no bytes consumed).
    func nextIsString(withPrefix prefix: String) -> Bool {
        var probe = self
        guard let length = try? probe.readInt(in: 0...256, "string length"), length >= prefix.utf8.count,
              probe.remaining >= length else { return false }
        return Array(bytes[probe.offset..<(probe.offset + prefix.utf8.count)]) == Array(prefix.utf8)
    }

    /// A DNN tensor (section 1.8): version 2, four dimensions, raw little-endian float32 data.
    mutating func readTensor() throws -> (shape: [Int], data: [Float]) {
        let start = offset
        let version = try readInt()
        guard version == 2 else { throw error("tensor version \(version), expected 2", at: start) }
        var shape: [Int] = []
        var count = 1
        for name in ["num_samples", "k", "nr", "nc"] {
            let dim = try readInt(in: 0...(1 << 30), "tensor \(name)")
            shape.append(dim)
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            guard !overflow else { throw error("tensor size overflows", at: start) }
            count = product
        }
        guard count <= remaining / 4 else {
            throw error("tensor of \(count) floats runs past the end of the file (\(remaining) bytes left)", at: start)
        }
        var data = [Float](repeating: 0, count: count)
        bytes.withUnsafeBufferPointer { src in
            for i in 0..<count {
                let p = offset + 4 * i
                let bits = UInt32(src[p]) | UInt32(src[p + 1]) << 8 | UInt32(src[p + 2]) << 16 | UInt32(src[p + 3]) << 24
                data[i] = Float(bitPattern: bits)
            }
        }
        offset += 4 * count
        return (shape, data)
    }

    /// An alias_tensor (section 1.9): version 1 and four dimensions; returns the element count.
    mutating func readAliasTensor() throws -> (shape: [Int], count: Int) {
        let start = offset
        let version = try readInt()
        guard version == 1 else { throw error("alias tensor version \(version), expected 1", at: start) }
        var shape: [Int] = []
        for name in ["num_samples", "k", "nr", "nc"] {
            shape.append(try readInt(in: 0...(1 << 30), "alias tensor \(name)"))
        }
        let count = shape.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
        guard count < Int.max else { throw error("alias tensor size overflows", at: start) }
        return (shape, count)
    }

    /// A `dlib::matrix<float>` (section 1.6): -nr, -nc, then nr*nc floats row-major.
    mutating func readFloatMatrix() throws -> (rows: Int, columns: Int, values: [Float]) {
        let start = offset
        let rows = Int(try readInt(in: -(1 << 20)...(1 << 20), "matrix rows").magnitude)
        let columns = Int(try readInt(in: -(1 << 20)...(1 << 20), "matrix columns").magnitude)
        let count = rows * columns
        // Every float takes at least 4 bytes (two integers of >= 2 bytes).
        guard count <= remaining / 4 else { throw error("matrix of \(rows)x\(columns) runs past the end of the file", at: start) }
        var values = [Float]()
        values.reserveCapacity(count)
        for _ in 0..<count { values.append(try readFloat()) }
        return (rows, columns, values)
    }

    /// A vector length that cannot exceed what the remaining bytes could hold.
    mutating func readCount(minimumElementBytes: Int, _ what: String) throws -> Int {
        let start = offset
        let count = try readInt(in: 0...Int(Int32.max), what)
        guard count <= remaining / max(1, minimumElementBytes) else {
            throw error("\(what) = \(count) elements cannot fit in the \(remaining) bytes left", at: start)
        }
        return count
    }
}

extension DlibStreamReader {
    /// The whole file, for the dlib readers.
    /// - Throws: `EngineError(.fileUnreadable)` naming the path.
    static func fileBytes(_ url: URL) throws -> [UInt8] {
        do {
            return [UInt8](try Data(contentsOf: url))
        } catch {
            throw EngineError(.fileUnreadable, "\(url.path): \(error.localizedDescription)")
        }
    }
}
