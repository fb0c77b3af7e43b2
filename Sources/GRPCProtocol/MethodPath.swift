/// A gRPC method path `/package.Service/Method`, split into service and method.
public struct MethodPath: Sendable, Hashable, CustomStringConvertible {
    /// Fully-qualified service name, e.g. `grpc.health.v1.Health`.
    public var service: String
    /// Method name, e.g. `Check`.
    public var method: String

    /// Creates a path from its parts.
    public init(service: String, method: String) {
        self.service = service
        self.method = method
    }

    /// Parses `/Service/Method`; nil when the shape is wrong.
    public init?(path: some StringProtocol) {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].isEmpty, !parts[1].isEmpty, !parts[2].isEmpty else { return nil }
        service = String(parts[1])
        method = String(parts[2])
    }

    /// `/service/method`.
    public var description: String { "/\(service)/\(method)" }
}
