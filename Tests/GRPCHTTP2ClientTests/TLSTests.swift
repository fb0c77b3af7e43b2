import GRPCHTTP2Client
import GRPCHTTP2Server
import GRPCProtocol
import Testing

/// TLS with ALPN h2 against the server's TLS mode, using the committed test certificate.
@Suite struct TLSTests {
    static let fixtures = String(#filePath).split(separator: "/").dropLast().joined(separator: "/") + "/Fixtures"
    static let certificate = "/" + fixtures + "/test-cert.pem"
    static let key = "/" + fixtures + "/test-key.pem"

    static func serverTLS(_ config: inout GRPCServer.Config) {
        config.tls = .init(certificatePath: certificate, privateKeyPath: key)
    }

    @Test func callsWorkOverTLSWithATrustedCA() async throws {
        var clientConfig = GRPCClient.Config()
        clientConfig.tls = .init(caFilePath: Self.certificate, serverHostname: "localhost")
        try await withLoopback(serverConfig: Self.serverTLS, clientConfig: clientConfig) { client, _ async throws in
            #expect(try await client.unary(TestService.unary, request: [7, 8]) == [7, 8])
            let error = await #expect(throws: RPCError.self) {
                _ = try await client.unary(TestService.fail, request: [5] + Array("über TLS".utf8))
            }
            #expect(error?.code == .notFound)
            #expect(error?.message == "über TLS")
        }
    }

    @Test func untrustedCertificateFailsTheConnect() async throws {
        var clientConfig = GRPCClient.Config()
        clientConfig.tls = .init(serverHostname: "localhost")  // system roots only
        await #expect(throws: ClientTransportError.self) {
            try await withLoopback(serverConfig: Self.serverTLS, clientConfig: clientConfig) { _, _ async throws in
                Issue.record("connected without trusting the certificate")
            }
        }
    }
}
