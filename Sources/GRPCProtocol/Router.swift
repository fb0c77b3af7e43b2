/// Maps method paths to handlers. Built once before the server starts, then read-only.
public struct Router: Sendable {
    /// The outcome of looking up a path.
    public enum Lookup: Sendable {
        /// A registered handler.
        case handler(RPCHandler)
        /// No such service (-> UNIMPLEMENTED).
        case unknownService
        /// The service exists but not this method (-> UNIMPLEMENTED).
        case unknownMethod
    }

    private var handlers: [String: [String: RPCHandler]] = [:]
    private var byPath: [String: (MethodPath, RPCHandler)] = [:]

    /// Creates an empty router.
    public init() {}

    /// Registers a handler; replaces an earlier one with the same path.
    public mutating func register(_ path: MethodPath, _ handler: @escaping RPCHandler) {
        handlers[path.service, default: [:]][path.method] = handler
        byPath[path.description] = (path, handler)
    }

    /// Registers a unary handler: one request message in, one response message out.
    public mutating func registerUnary(
        _ path: MethodPath,
        _ body: @escaping @Sendable ([UInt8], ServerContext) async throws -> [UInt8]
    ) {
        register(path) { requests, writer, context in
            let request = try await requests.single()
            let response = try await body(request, context)
            try await writer.write(response)
        }
    }

    /// Registers a server-streaming handler: one request message in, any number out.
    public mutating func registerServerStreaming(
        _ path: MethodPath,
        _ body: @escaping @Sendable ([UInt8], ResponseWriter, ServerContext) async throws -> Void
    ) {
        register(path) { requests, writer, context in
            try await body(try await requests.single(), writer, context)
        }
    }

    /// Registers a client-streaming handler: any number of request messages in, one out.
    public mutating func registerClientStreaming(
        _ path: MethodPath,
        _ body: @escaping @Sendable (RequestStream, ServerContext) async throws -> [UInt8]
    ) {
        register(path) { requests, writer, context in
            try await writer.write(try await body(requests, context))
        }
    }

    /// Registers every method of a service as UNIMPLEMENTED with a clear message (for schema
    /// methods whose implementation comes later).
    public mutating func registerUnimplemented(service: String, methods: [String]) {
        for method in methods {
            let path = MethodPath(service: service, method: method)
            register(path) { _, _, _ in
                throw RPCError(.unimplemented, "\(path) is not implemented yet")
            }
        }
    }

    /// Services with at least one registered method.
    public var services: [String] { handlers.keys.sorted() }

    /// Looks up a raw `:path` with one hash lookup (the per-call fast path); nil when it is not
    /// registered (use `lookup(_:)` on the parsed path to tell service from method).
    public func handler(forRawPath path: String) -> (MethodPath, RPCHandler)? {
        byPath[path]
    }

    /// Looks up a path.
    public func lookup(_ path: MethodPath) -> Lookup {
        guard let methods = handlers[path.service] else { return .unknownService }
        guard let handler = methods[path.method] else { return .unknownMethod }
        return .handler(handler)
    }
}
