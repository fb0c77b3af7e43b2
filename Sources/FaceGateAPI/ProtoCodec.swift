import CFaceGateProto

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A Swift value of the public schema that converts to and from its protobuf-c struct.
///
/// Decoding unpacks with protobuf-c, converts every field (validating UTF-8, sizes and enum
/// values), then frees the C message. Encoding fills C structs allocated from a `ProtoArena`,
/// packs them with protobuf-c and frees the arena.
public protocol ProtoCMessage: Sendable {
    /// The protobuf-c struct generated for this message.
    associatedtype CStruct
    /// The generated `..._init` function (sets the descriptor and defaults).
    static var cInit: (UnsafeMutablePointer<CStruct>?) -> Void { get }
    /// Converts a decoded C message; throws `FaceGateAPIError` for invalid content.
    init(c: CStruct) throws(FaceGateAPIError)
    /// Writes this value into an initialised C message; memory comes from `arena`.
    func fill(_ c: inout CStruct, arena: ProtoArena)
}

extension ProtoCMessage {
    /// Decodes protobuf wire bytes.
    /// - Throws: `FaceGateAPIError` with code `.malformed` when the bytes are not a valid
    ///   message, or `.invalidArgument` when a field is invalid.
    public init(serialized bytes: [UInt8]) throws(FaceGateAPIError) {
        let descriptor = Self.descriptor
        let unpacked: UnsafeMutablePointer<ProtobufCMessage>? = bytes.withUnsafeBufferPointer {
            protobuf_c_message_unpack(descriptor, nil, $0.count, $0.baseAddress)
        }
        guard let unpacked else {
            throw FaceGateAPIError(.malformed, "the request is not a valid \(Self.self) protobuf message")
        }
        defer { protobuf_c_message_free_unpacked(unpacked, nil) }
        let typed = UnsafeRawPointer(unpacked).assumingMemoryBound(to: CStruct.self)
        try self.init(c: typed.pointee)
    }

    /// Encodes to protobuf wire bytes.
    public func serialized() -> [UInt8] {
        let arena = ProtoArena()
        let message = arena.message(Self.self)
        fill(&message.pointee, arena: arena)
        let base = UnsafeRawPointer(message).assumingMemoryBound(to: ProtobufCMessage.self)
        let size = protobuf_c_message_get_packed_size(base)
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            count = size == 0 ? 0 : protobuf_c_message_pack(base, buffer.baseAddress)
        }
    }

    /// The generated descriptor, read from a freshly initialised struct so that it is the
    /// C global's own address.
    static var descriptor: UnsafePointer<ProtobufCMessageDescriptor> {
        let scratch = UnsafeMutablePointer<CStruct>.allocate(capacity: 1)
        defer { scratch.deallocate() }
        cInit(scratch)
        let base = UnsafeRawPointer(scratch).assumingMemoryBound(to: ProtobufCMessage.self)
        return base.pointee.descriptor
    }
}

/// Owns every C allocation made while encoding one message; frees them all at deinit.
///
/// Not thread-safe: one arena serves one encoding on one thread.
public final class ProtoArena {
    private var blocks: [UnsafeMutableRawPointer] = []

    init() {}

    deinit {
        for block in blocks { free(block) }
    }

    /// Zeroed memory for `count` values of `T`.
    func allocate<T>(_: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        let raw = calloc(max(count, 1), MemoryLayout<T>.stride)!
        blocks.append(raw)
        return raw.bindMemory(to: T.self, capacity: max(count, 1))
    }

    /// A new C message of `M`, initialised by its generated init function.
    func message<M: ProtoCMessage>(_: M.Type) -> UnsafeMutablePointer<M.CStruct> {
        let pointer = allocate(M.CStruct.self, count: 1)
        M.cInit(pointer)
        return pointer
    }

    /// A nested C message holding `value`.
    func nested<M: ProtoCMessage>(_ value: M) -> UnsafeMutablePointer<M.CStruct> {
        let pointer = message(M.self)
        value.fill(&pointer.pointee, arena: self)
        return pointer
    }

    /// A repeated message field: the element count and the pointer array.
    func repeated<M: ProtoCMessage>(_ values: [M]) -> (Int, UnsafeMutablePointer<UnsafeMutablePointer<M.CStruct>?>?) {
        guard !values.isEmpty else { return (0, nil) }
        let array = allocate(UnsafeMutablePointer<M.CStruct>?.self, count: values.count)
        for (i, value) in values.enumerated() { array[i] = nested(value) }
        return (values.count, array)
    }

    /// A repeated scalar field.
    func scalars<T>(_ values: [T]) -> (Int, UnsafeMutablePointer<T>?) {
        guard !values.isEmpty else { return (0, nil) }
        let array = allocate(T.self, count: values.count)
        array.initialize(from: values, count: values.count)
        return (values.count, array)
    }

    /// A NUL-terminated copy of `string` (protobuf-c strings are C strings).
    func string(_ string: String) -> UnsafeMutablePointer<CChar> {
        let utf8 = Array(string.utf8)
        let pointer = allocate(CChar.self, count: utf8.count + 1)
        utf8.withUnsafeBufferPointer { source in
            UnsafeMutableRawPointer(pointer).copyMemory(from: source.baseAddress!, byteCount: utf8.count)
        }
        return pointer
    }

    /// A bytes field.
    func bytes(_ bytes: [UInt8]) -> ProtobufCBinaryData {
        guard !bytes.isEmpty else { return ProtobufCBinaryData(len: 0, data: nil) }
        let pointer = allocate(UInt8.self, count: bytes.count)
        pointer.initialize(from: bytes, count: bytes.count)
        return ProtobufCBinaryData(len: bytes.count, data: pointer)
    }
}

/// Reading helpers for decoded C fields.
enum ProtoRead {
    /// A string field, validated as UTF-8 and bounded in bytes.
    static func string(
        _ pointer: UnsafeMutablePointer<CChar>?, field: String, maxBytes: Int = 1 << 20
    ) throws(FaceGateAPIError) -> String {
        guard let pointer else { return "" }
        let length = strlen(pointer)
        guard length <= maxBytes else {
            throw FaceGateAPIError(.invalidArgument, "\(field) is \(length) bytes; the limit is \(maxBytes)")
        }
        guard let value = String(validatingCString: pointer) else {
            throw FaceGateAPIError(.invalidArgument, "\(field) is not valid UTF-8")
        }
        return value
    }

    /// A bytes field.
    static func bytes(_ data: ProtobufCBinaryData) -> [UInt8] {
        guard data.len > 0, let base = data.data else { return [] }
        return Array(UnsafeBufferPointer(start: base, count: data.len))
    }

    /// A repeated message field.
    static func repeated<M: ProtoCMessage>(
        _ count: Int, _ array: UnsafeMutablePointer<UnsafeMutablePointer<M.CStruct>?>?, as _: M.Type
    ) throws(FaceGateAPIError) -> [M] {
        guard count > 0, let array else { return [] }
        var values: [M] = []
        values.reserveCapacity(count)
        for i in 0..<count {
            guard let element = array[i] else { continue }
            values.append(try M(c: element.pointee))
        }
        return values
    }

    /// An optional nested message field.
    static func optional<M: ProtoCMessage>(
        _ pointer: UnsafeMutablePointer<M.CStruct>?, as _: M.Type
    ) throws(FaceGateAPIError) -> M? {
        guard let pointer else { return nil }
        return try M(c: pointer.pointee)
    }

    /// A repeated scalar field.
    static func scalars<T>(_ count: Int, _ array: UnsafeMutablePointer<T>?) -> [T] {
        guard count > 0, let array else { return [] }
        return Array(UnsafeBufferPointer(start: array, count: count))
    }
}
