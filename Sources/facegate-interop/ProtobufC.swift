import CFaceGateProto
import GRPCProtocol

/// Unpacks a protobuf-c message, runs `body` on it, frees it.
/// - Throws: `RPCError(.invalidArgument)` when the bytes do not parse.
func withUnpacked<Message, R>(
    _ bytes: [UInt8],
    unpack: (UnsafeMutablePointer<ProtobufCAllocator>?, Int, UnsafePointer<UInt8>?) -> UnsafeMutablePointer<Message>?,
    free: (UnsafeMutablePointer<Message>?, UnsafeMutablePointer<ProtobufCAllocator>?) -> Void,
    _ body: (UnsafeMutablePointer<Message>) throws -> R
) throws -> R {
    let message = bytes.withUnsafeBufferPointer { unpack(nil, $0.count, $0.baseAddress) }
    guard let message else { throw RPCError(.invalidArgument, "malformed \(Message.self)") }
    defer { free(message, nil) }
    return try body(message)
}

/// Packs a protobuf-c message into bytes.
func packed<Message>(
    _ message: inout Message,
    size: (UnsafePointer<Message>) -> Int,
    pack: (UnsafePointer<Message>, UnsafeMutablePointer<UInt8>?) -> Int
) -> [UInt8] {
    let count = size(&message)
    var bytes = [UInt8](repeating: 0, count: count)
    bytes.withUnsafeMutableBufferPointer { buffer in
        _ = pack(&message, buffer.baseAddress)
    }
    return bytes
}

/// Encodes a message whose only field is a Payload of `size` zero bytes (SimpleResponse and
/// StreamingOutputCallResponse both have `payload` as field 1).
func payloadMessage(size: Int) -> [UInt8] {
    var zeros = [UInt8](repeating: 0, count: size)
    return zeros.withUnsafeMutableBufferPointer { body in
        var payload = Grpc__Testing__Payload()
        grpc__testing__payload__init(&payload)
        payload.body = ProtobufCBinaryData(len: size, data: body.baseAddress)
        return withUnsafeMutablePointer(to: &payload) { payloadPointer in
            var response = Grpc__Testing__SimpleResponse()
            grpc__testing__simple_response__init(&response)
            response.payload = payloadPointer
            return packed(&response, size: grpc__testing__simple_response__get_packed_size,
                          pack: grpc__testing__simple_response__pack)
        }
    }
}
