import Glibc
import Logging
import NIOPosix
import Testing

@testable import FaceGateService

/// A minimal blocking HTTP/1.0 GET over a loopback socket: returns the whole response text.
func httpGet(port: Int, path: String) throws -> String {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw POSIXFailure(what: "socket") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { throw POSIXFailure(what: "connect") }
    let request = Array("GET \(path) HTTP/1.0\r\nHost: localhost\r\n\r\n".utf8)
    guard write(fd, request, request.count) == request.count else { throw POSIXFailure(what: "write") }
    var response: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = read(fd, &chunk, chunk.count)
        if n <= 0 { break }
        response += chunk[0..<n]
    }
    return String(decoding: response, as: UTF8.self)
}

struct POSIXFailure: Error {
    let what: String
}

@Suite("Metrics endpoint")
struct MetricsEndpointTests {
    @Test func servesRecordedMetricsInPrometheusFormat() async throws {
        let metrics = ServiceMetrics()
        metrics.recordCall(method: "ClassifyOne", code: "OK", duration: .milliseconds(3))
        metrics.recordDecision("match")
        metrics.recordReject(reason: "BLURRY")
        metrics.recordDropped("deadline", count: 2)
        metrics.batchSize.record(8)
        metrics.galleryFaces.record(42)
        let endpoint = try await MetricsEndpoint.start(
            host: "127.0.0.1", port: 0, metrics: metrics, group: MultiThreadedEventLoopGroup.singleton,
            logger: Logger(label: "test"))
        defer { Task { await endpoint.close() } }
        let port = endpoint.port
        let text = try await Task.detached { try httpGet(port: port, path: "/metrics") }.value
        #expect(text.hasPrefix("HTTP/1.0 200"))
        #expect(text.contains(#"facegate_requests_total{method="ClassifyOne",code="OK"} 1"#))
        #expect(text.contains(#"facegate_decisions_total{decision="match"} 1"#))
        #expect(text.contains(#"facegate_rejects_total{reason="BLURRY"} 1"#))
        #expect(text.contains(#"facegate_faces_dropped_total{why="deadline"} 2"#))
        #expect(text.contains("facegate_request_duration_seconds_bucket"))
        #expect(text.contains("facegate_batch_size_count 1"))
        #expect(text.contains("facegate_gallery_faces 42"))
        let missing = try await Task.detached { try httpGet(port: port, path: "/other") }.value
        #expect(missing.hasPrefix("HTTP/1.0 404"))
    }
}
