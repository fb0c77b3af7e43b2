import CFaceGateProto
import GRPCProtocol

/// `grpc.testing.TestService` as gRPC's interop spec describes it (doc/interop-test-descriptions.md).
struct TestService {
    static let name = "grpc.testing.TestService"

    /// A response the client asked for: size, delay and compression.
    struct ResponseSpec {
        var size: Int
        var intervalMicroseconds: Int
        var compressed: Bool
    }

    func register(on router: inout Router) {
        let service = Self.name
        router.register(MethodPath(service: service, method: "EmptyCall")) { requests, writer, context in
            _ = try await requests.single()
            Self.echoMetadata(context, writer)
            try await writer.write([])
        }
        router.register(MethodPath(service: service, method: "UnaryCall")) { requests, writer, context in
            let request = try await requests.single()
            Self.echoMetadata(context, writer)
            let wasCompressed = requests.lastMessageWasCompressed
            let (size, compressed, expectCompressed, status) = try withUnpacked(
                request, unpack: grpc__testing__simple_request__unpack,
                free: grpc__testing__simple_request__free_unpacked
            ) { message in
                (Int(message.pointee.response_size),
                 message.pointee.response_compressed.map { $0.pointee.value != 0 } ?? false,
                 message.pointee.expect_compressed.map { $0.pointee.value != 0 } ?? false,
                 Self.status(message.pointee.response_status))
            }
            if expectCompressed && !wasCompressed {
                throw RPCError(.invalidArgument, "expected a compressed request")
            }
            if let status { throw status }
            try await writer.write(payloadMessage(size: size), compress: compressed)
        }
        router.register(MethodPath(service: service, method: "StreamingOutputCall")) { requests, writer, context in
            let request = try await requests.single()
            Self.echoMetadata(context, writer)
            let (specs, status) = try Self.decodeStreamingOutput(request)
            try await Self.send(specs, writer)
            if let status { throw status }
        }
        router.register(MethodPath(service: service, method: "StreamingInputCall")) { requests, writer, _ in
            var total = 0
            var iterator = requests.makeAsyncIterator()
            while let request = try await iterator.next() {
                let (size, expectCompressed) = try withUnpacked(
                    request, unpack: grpc__testing__streaming_input_call_request__unpack,
                    free: grpc__testing__streaming_input_call_request__free_unpacked
                ) { message -> (Int, Bool) in
                    (Int(message.pointee.payload?.pointee.body.len ?? 0),
                     message.pointee.expect_compressed.map { $0.pointee.value != 0 } ?? false)
                }
                if expectCompressed && !requests.lastMessageWasCompressed {
                    throw RPCError(.invalidArgument, "expected a compressed request")
                }
                total += size
            }
            var response = Grpc__Testing__StreamingInputCallResponse()
            grpc__testing__streaming_input_call_response__init(&response)
            response.aggregated_payload_size = Int32(clamping: total)
            try await writer.write(packed(&response, size: grpc__testing__streaming_input_call_response__get_packed_size,
                                          pack: grpc__testing__streaming_input_call_response__pack))
        }
        router.register(MethodPath(service: service, method: "FullDuplexCall")) { requests, writer, context in
            Self.echoMetadata(context, writer)
            for try await request in requests {
                let (specs, status) = try Self.decodeStreamingOutput(request)
                if let status { throw status }
                try await Self.send(specs, writer)
            }
        }
        router.register(MethodPath(service: service, method: "HalfDuplexCall")) { requests, writer, context in
            Self.echoMetadata(context, writer)
            var all: [ResponseSpec] = []
            for try await request in requests {
                let (specs, status) = try Self.decodeStreamingOutput(request)
                if let status { throw status }
                all += specs
            }
            try await Self.send(all, writer)
        }
        // UnimplementedCall is deliberately not registered: the router answers UNIMPLEMENTED.
    }

    static func decodeStreamingOutput(_ bytes: [UInt8]) throws -> ([ResponseSpec], RPCError?) {
        try withUnpacked(
            bytes, unpack: grpc__testing__streaming_output_call_request__unpack,
            free: grpc__testing__streaming_output_call_request__free_unpacked
        ) { message in
            var specs: [ResponseSpec] = []
            for i in 0..<message.pointee.n_response_parameters {
                guard let parameters = message.pointee.response_parameters[i] else { continue }
                let compressed = parameters.pointee.compressed.map { $0.pointee.value != 0 } ?? false
                specs.append(ResponseSpec(size: Int(parameters.pointee.size),
                                          intervalMicroseconds: Int(parameters.pointee.interval_us),
                                          compressed: compressed))
            }
            return (specs, status(message.pointee.response_status))
        }
    }

    static func send(_ specs: [ResponseSpec], _ writer: ResponseWriter) async throws {
        for spec in specs {
            if spec.intervalMicroseconds > 0 {
                try await Task.sleep(for: .microseconds(spec.intervalMicroseconds))
            }
            try await writer.write(payloadMessage(size: spec.size), compress: spec.compressed)
        }
    }

    static func status(_ echo: UnsafeMutablePointer<Grpc__Testing__EchoStatus>?) -> RPCError? {
        guard let echo, echo.pointee.code != 0 else { return nil }
        let message = echo.pointee.message.map { String(cString: $0) } ?? ""
        return RPCError(StatusCode(wireValue: Int(echo.pointee.code)), message)
    }

    /// custom_metadata: echo `x-grpc-test-echo-initial` in the headers and
    /// `x-grpc-test-echo-trailing-bin` in the trailers.
    static func echoMetadata(_ context: ServerContext, _ writer: ResponseWriter) {
        if let initial = context.metadata[first: "x-grpc-test-echo-initial"] {
            writer.setInitialMetadata(Metadata([("x-grpc-test-echo-initial", initial)]))
        }
        if let trailing = context.metadata[first: "x-grpc-test-echo-trailing-bin"] {
            writer.setTrailingMetadata(Metadata([("x-grpc-test-echo-trailing-bin", trailing)]))
        }
    }
}
