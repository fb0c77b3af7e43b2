import GRPCProtocol
import Testing

@Suite struct RouterTests {
    static func router() -> Router {
        var router = Router()
        router.registerUnary(MethodPath(service: "pkg.Echo", method: "Say")) { request, _ in request }
        router.registerUnimplemented(service: "pkg.Later", methods: ["A", "B"])
        return router
    }

    @Test(arguments: [
        ("/pkg.Echo/Say", "handler"), ("/pkg.Echo/Shout", "unknownMethod"), ("/pkg.Nope/Say", "unknownService"),
        ("/pkg.Later/A", "handler"),
    ])
    func lookups(path: String, expected: String) throws {
        let parsed = try #require(MethodPath(path: path))
        let kind = switch Self.router().lookup(parsed) {
        case .handler: "handler"
        case .unknownMethod: "unknownMethod"
        case .unknownService: "unknownService"
        }
        #expect(kind == expected)
    }

    @Test(arguments: ["", "/", "//", "/a/", "a/b", "/a/b/c", "/a"])
    func malformedPathsDoNotParse(path: String) {
        #expect(MethodPath(path: path) == nil)
    }

    @Test func statusNamesAndNumbers() {
        #expect(StatusCode.deadlineExceeded.name == "DEADLINE_EXCEEDED")
        #expect(StatusCode(wireValue: 12) == .unimplemented)
        #expect(StatusCode(wireValue: 99) == .unknown)
        #expect(StatusCode.allCases.map(\.rawValue) == Array(0...16))
    }

    @Test func reservedMetadataNames() {
        #expect(Metadata.isReserved(":path"))
        #expect(Metadata.isReserved("grpc-timeout"))
        #expect(Metadata.isReserved("content-type"))
        #expect(!Metadata.isReserved("x-grpc-test-echo-initial"))
    }
}
