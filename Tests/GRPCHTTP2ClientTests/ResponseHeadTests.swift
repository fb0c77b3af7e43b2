@testable import GRPCHTTP2Client
import GRPCProtocol
import Testing

/// The status a response's headers and trailers add up to (pure value logic).
@Suite struct ResponseHeadTests {
    static let httpCases: [(Int, StatusCode)] = [
        (400, .internal), (401, .unauthenticated), (403, .permissionDenied), (404, .unimplemented),
        (429, .unavailable), (502, .unavailable), (503, .unavailable), (504, .unavailable), (500, .unknown),
    ]

    @Test(arguments: httpCases)
    func nonGRPCHTTPStatusMapsToCode(http: Int, code: StatusCode) {
        var head = ResponseHead()
        head.add(name: ":status", value: String(http), trailers: false)
        head.add(name: "content-type", value: "text/plain", trailers: false)
        #expect(head.headersError?.code == code)
    }

    @Test func grpcResponseHeadersAreAccepted() {
        var head = ResponseHead()
        head.add(name: ":status", value: "200", trailers: false)
        head.add(name: "content-type", value: "application/grpc+proto", trailers: false)
        head.add(name: "x-server", value: "a", trailers: false)
        #expect(head.headersError == nil)
        #expect(head.initialMetadata[first: "x-server"] == "a")
    }

    @Test func wrongContentTypeIsUnknown() {
        var head = ResponseHead()
        head.add(name: ":status", value: "200", trailers: false)
        head.add(name: "content-type", value: "text/html", trailers: false)
        #expect(head.headersError?.code == .unknown)
    }

    static let trailerCases: [(String?, String?, StatusCode?, String)] = [
        ("0", nil, nil, ""),
        ("5", "no%20such%20identity", .notFound, "no such identity"),
        ("13", "caf%C3%A9 %E2%9C%8B", .internal, "café ✋"),
        ("99", nil, .unknown, ""),
        ("abc", nil, .unknown, "malformed grpc-status abc"),
        (nil, nil, .internal, "stream ended without grpc-status"),
    ]

    @Test(arguments: trailerCases)
    func trailersGiveTheStatus(status: String?, message: String?, code: StatusCode?, text: String) {
        var head = ResponseHead()
        if let status { head.add(name: "grpc-status", value: status, trailers: true) }
        if let message { head.add(name: "grpc-message", value: message, trailers: true) }
        head.add(name: "x-detail", value: "d", trailers: true)
        let result = head.status
        #expect(result?.code == code)
        if let result {
            #expect(result.message == text)
            #expect(result.trailingMetadata[first: "x-detail"] == "d")
        }
    }
}
