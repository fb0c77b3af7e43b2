import FaceGateAPI
import FaceGateClient
import GRPCHTTP2Client
import GRPCHTTP2Server
import GRPCProtocol
import Testing

/// `FaceGateClient`'s typed calls against a scripted stand-in of `facegate.v1.FaceGate` on a
/// real loopback server (the real handlers are tested in FaceGateServiceTests).
@Suite struct FaceGateClientTests {
    /// A stand-in service: ClassifyOne/Classify answer MATCH "alice" for images starting with
    /// byte 1, UNKNOWN otherwise; Enroll rejects images starting with byte 0; gallery calls know "id-1".
    static func router() -> Router {
        var router = Router()
        func path(_ method: FaceGateMethod) -> MethodPath { MethodPath(path: method.rawValue)! }
        @Sendable func identify(_ request: ClassifyRequest) -> ClassifyResponse {
            var response = ClassifyResponse()
            response.requestID = request.requestID
            response.threshold = 0.6
            if case .encoded(let bytes) = request.face.image, bytes.first == 1 {
                response.decision = .match
                response.candidates = [CandidateMessage(identityID: "id-1", displayName: "alice", distance: 0.31, score: 0.9, faceID: "f-1")]
            } else {
                response.decision = .unknown
            }
            return response
        }
        router.registerUnary(path(.classifyOne)) { bytes, _ in
            identify(try ClassifyRequest(serialized: bytes)).serialized()
        }
        router.register(path(.classify)) { requests, writer, _ in
            for try await bytes in requests { try await writer.write(identify(try ClassifyRequest(serialized: bytes)).serialized()) }
        }
        router.register(path(.enroll)) { requests, writer, _ in
            var summary = EnrollSummaryMessage()
            var identity = IdentityMessage()
            for try await bytes in requests {
                switch try EnrollRequest(serialized: bytes) {
                case .start(let start):
                    identity.identityID = start.identityID.isEmpty ? "id-new" : start.identityID
                    identity.displayName = start.displayName
                    try await writer.write(EnrollResponse.started(identity: identity, created: start.identityID.isEmpty).serialized())
                case .face(let face):
                    summary.facesReceived += 1
                    var verdict = FaceVerdictMessage()
                    verdict.requestID = face.requestID
                    if case .encoded(let image) = face.face.image, image.first != 0 {
                        verdict.accepted = true
                        verdict.faceID = "face-\(summary.facesReceived)"
                        summary.facesAccepted += 1
                    } else {
                        verdict.ood = OODVerdictMessage(accepted: false, oodScore: 0.9, threshold: 0.5, reasons: [.blurry, .tooDark])
                        summary.facesRejected += 1
                    }
                    try await writer.write(EnrollResponse.verdict(verdict).serialized())
                }
            }
            identity.faceCount = summary.facesAccepted
            summary.identity = identity
            summary.recommendedFaceCount = 3
            try await writer.write(EnrollResponse.summary(summary).serialized())
        }
        router.registerUnary(path(.getIdentity)) { bytes, _ in
            let request = try GetIdentityRequest(serialized: bytes)
            guard request.identityID == "id-1" else { throw RPCError(.notFound, "no identity \(request.identityID)") }
            var identity = IdentityMessage()
            identity.identityID = "id-1"
            identity.displayName = "alice"
            identity.faceCount = 1
            return GetIdentityResponse(identity: identity, faces: [EnrolledFaceMessage(faceID: "f-1", quality: 0.8, createdUnixMs: 1)]).serialized()
        }
        router.registerUnary(path(.getGalleryStats)) { _, _ in
            var stats = GalleryStatsMessage()
            stats.identityCount = 1
            stats.faceCount = 1
            stats.modelID = "dlib_resnet_v1"
            return stats.serialized()
        }
        router.registerUnary(path(.listIdentities)) { _, _ in
            // Not a ListIdentitiesResponse: the client must report INTERNAL, not crash.
            [0xFF, 0xFF, 0xFF]
        }
        return router
    }

    func withFaceGate(_ body: (FaceGateClient) async throws -> Void) async throws {
        var config = GRPCServer.Config()
        config.port = 0
        config.threads = 1
        config.shutdown.drainGrace = .milliseconds(200)
        let server = GRPCServer(config: config, router: Self.router())
        let port = try await server.start()
        let client = try await FaceGateClient.connect(host: "127.0.0.1", port: port, defaultTimeout: .seconds(30))
        do {
            try await body(client)
        } catch {
            await client.close()
            await server.shutdownGracefully()
            throw error
        }
        await client.close()
        await server.shutdownGracefully()
    }

    @Test func classifyOneDecodesTheIdentification() async throws {
        try await withFaceGate { client in
            let match = try await client.classifyOne(ClassifyRequest(requestID: "r1", face: FaceInput(image: .encoded([1, 2])), topK: 1))
            #expect(match.decision == .match)
            #expect(match.requestID == "r1")
            #expect(match.candidates.first?.displayName == "alice")
            let unknown = try await client.classifyOne(ClassifyRequest(face: FaceInput(image: .encoded([2]))))
            #expect(unknown.decision == .unknown)
            #expect(unknown.candidates.isEmpty)
        }
    }

    @Test func classifyStreamAnswersEveryFace() async throws {
        try await withFaceGate { client in
            let stream = try client.classify()
            let faces: [[UInt8]] = (0..<200).map { [UInt8($0 % 2), UInt8($0 % 251)] }
            async let sent: Void = {
                for (index, face) in faces.enumerated() {
                    try await stream.send(ClassifyRequest(requestID: "\(index)", face: FaceInput(image: .encoded(face))))
                }
                stream.finish()
            }()
            var decisions: [String: Decision] = [:]
            for try await response in stream.responses { decisions[response.requestID] = response.decision }
            try await sent
            #expect(decisions.count == faces.count)
            #expect(decisions["1"] == .match)
            #expect(decisions["2"] == .unknown)
        }
    }

    @Test func enrollStreamsVerdictsAndASummary() async throws {
        try await withFaceGate { client in
            let stream = try client.enroll()
            var start = EnrollStart()
            start.displayName = "bob"
            try await stream.send(.start(start))
            try await stream.send(.face(EnrollFace(requestID: "a.jpg", face: FaceInput(image: .encoded([1])))))
            try await stream.send(.face(EnrollFace(requestID: "b.jpg", face: FaceInput(image: .encoded([0])))))
            stream.finish()
            var responses: [EnrollResponse] = []
            for try await response in stream.responses { responses.append(response) }
            #expect(responses.count == 4)
            guard responses.count == 4 else { return }
            #expect(responses[0] == .started(identity: { var i = IdentityMessage(); i.identityID = "id-new"; i.displayName = "bob"; return i }(), created: true))
            if case .verdict(let accepted) = responses[1] { #expect(accepted.accepted && accepted.requestID == "a.jpg") } else { Issue.record("not a verdict") }
            if case .verdict(let rejected) = responses[2] {
                #expect(!rejected.accepted)
                #expect(rejected.ood?.reasons == [.blurry, .tooDark])
            } else { Issue.record("not a verdict") }
            if case .summary(let summary) = responses[3] {
                #expect(summary.facesAccepted == 1 && summary.facesRejected == 1 && summary.identity?.faceCount == 1)
            } else { Issue.record("not a summary") }
        }
    }

    @Test func galleryCallsAndTheirErrors() async throws {
        try await withFaceGate { client in
            let identity = try await client.getIdentity("id-1")
            #expect(identity.identity.displayName == "alice")
            #expect(identity.faces.map(\.faceID) == ["f-1"])
            let missing = await #expect(throws: RPCError.self) { _ = try await client.getIdentity("id-2") }
            #expect(missing?.code == .notFound)
            #expect(missing?.message == "no identity id-2")
            #expect(try await client.galleryStats().modelID == "dlib_resnet_v1")
            let malformed = await #expect(throws: RPCError.self) { _ = try await client.listIdentities() }
            #expect(malformed?.code == .internal)
            let unimplemented = await #expect(throws: RPCError.self) { _ = try await client.deleteFace("f-1") }
            #expect(unimplemented?.code == .unimplemented)
            // Health is not registered on this stand-in server.
            let health = await #expect(throws: RPCError.self) { _ = try await client.checkHealth() }
            #expect(health?.code == .unimplemented)
        }
    }
}
