import Testing

@testable import FaceGateAPI

/// Decodes hex produced by Python's protobuf for the same schema.
private func bytes(hex: String) -> [UInt8] {
    var out: [UInt8] = []
    var index = hex.startIndex
    while index < hex.endIndex {
        let next = hex.index(index, offsetBy: 2)
        out.append(UInt8(hex[index..<next], radix: 16)!)
        index = next
    }
    return out
}

@Suite("FaceGateAPI codec")
struct FaceGateAPICodecTests {
    // Python: ClassifyRequest(request_id="cam-7/42", top_k=3, face=Face(encoded=b"\xff\xd8\xff\xe0",
    //   box=Box(x=10, y=20, width=100.5, height=120), landmarks=[Point(x=i, y=2i+0.5) for i in 0..<5]))
    static let pythonClassifyRequest =
        "0a0863616d2d372f343212530a04ffd8ffe01a140d00002041150000a0411d0000c942250000f0422205150000003f220a0d0000803f1500002040220a0d000000401500009040220a0d00004040150000d040220a0d0000804015000008411803"

    @Test func decodesWhatPythonProtobufEncodes() throws {
        let request = try ClassifyRequest(serialized: bytes(hex: Self.pythonClassifyRequest))
        #expect(request.requestID == "cam-7/42")
        #expect(request.topK == 3)
        #expect(request.face.image == .encoded([0xFF, 0xD8, 0xFF, 0xE0]))
        #expect(request.face.box == FaceBox(x: 10, y: 20, width: 100.5, height: 120))
        #expect(request.face.landmarks == (0..<5).map { APIPoint(x: Float($0), y: Float($0) * 2 + 0.5) })
    }

    @Test func encodesWhatPythonProtobufEncodes() {
        let request = ClassifyRequest(
            requestID: "cam-7/42",
            face: FaceInput(
                image: .encoded([0xFF, 0xD8, 0xFF, 0xE0]), box: FaceBox(x: 10, y: 20, width: 100.5, height: 120),
                landmarks: (0..<5).map { APIPoint(x: Float($0), y: Float($0) * 2 + 0.5) }),
            topK: 3)
        #expect(request.serialized() == bytes(hex: Self.pythonClassifyRequest))
    }

    @Test func decodesUnicodeEnrollStart() throws {
        let request = try EnrollRequest(serialized: bytes(hex: "0a1e120f5a6fc3ab20c3856e67737472c3b66d1a0b0a047465616d1203726564"))
        guard case .start(let start) = request else {
            Issue.record("expected start, got \(request)")
            return
        }
        #expect(start.displayName == "Zoë Ångström")
        #expect(start.metadata == [MetadataEntryMessage(key: "team", value: "red")])
    }

    @Test func roundTripsEveryResponseShape() throws {
        var classify = ClassifyResponse()
        classify.requestID = "r1"
        classify.decision = .match
        classify.threshold = 0.6
        classify.candidates = [
            CandidateMessage(identityID: "id-1", displayName: "Ada", distance: 0.31, score: 0.8, faceID: "f-9"),
            CandidateMessage(identityID: "id-2", displayName: "Bob", distance: 0.7, score: 0.3, faceID: "f-3"),
        ]
        classify.ood = OODVerdictMessage(accepted: false, oodScore: 0.9, threshold: 0.5, reasons: [.blurry, .tooDark])
        var timing = TimingMessage()
        timing.totalUs = 1234
        classify.timing = timing
        #expect(try ClassifyResponse(serialized: classify.serialized()) == classify)

        var embed = EmbedResponse()
        embed.embedding = (0..<128).map { Float($0) / 128 }
        embed.modelID = "dlib-resnet-v1@5553"
        embed.error = FaceErrorMessage(code: 3, message: "not an image")
        #expect(try EmbedResponse(serialized: embed.serialized()) == embed)

        var verdict = FaceVerdictMessage()
        verdict.accepted = true
        verdict.faceID = "f-1"
        verdict.matchesIdentityID = "id-7"
        let responses: [EnrollResponse] = [
            .started(identity: IdentityMessage(), created: true),
            .verdict(verdict),
            .summary(EnrollSummaryMessage()),
        ]
        for response in responses {
            #expect(try EnrollResponse(serialized: response.serialized()) == response)
        }
    }

    @Test func emptyMessageRoundTrips() throws {
        #expect(GetGalleryStatsRequest().serialized().isEmpty)
        _ = try GetGalleryStatsRequest(serialized: [])
    }
}

@Suite("FaceGateAPI validation")
struct FaceGateAPIValidationTests {
    /// A ClassifyRequest whose face has `count` landmarks and a tiny encoded image.
    private func classifyRequest(landmarks count: Int, requestID: [UInt8] = []) -> [UInt8] {
        var face: [UInt8] = [0x0A, 0x01, 0xFF]  // encoded = 0xff
        for _ in 0..<count { face += [0x22, 0x00] }  // empty Point
        var message: [UInt8] = []
        if !requestID.isEmpty { message += [0x0A, UInt8(requestID.count)] + requestID }
        message += [0x12, UInt8(face.count)] + face
        return message
    }

    @Test(arguments: [1, 4, 6])
    func rejectsWrongLandmarkCounts(count: Int) {
        #expect(throws: FaceGateAPIError.self) { try ClassifyRequest(serialized: classifyRequest(landmarks: count)) }
    }

    @Test(arguments: [0, 5])
    func acceptsZeroOrFiveLandmarks(count: Int) throws {
        let request = try ClassifyRequest(serialized: classifyRequest(landmarks: count))
        #expect((request.face.landmarks?.count ?? 0) == count)
    }

    @Test func rejectsInvalidUTF8RequestID() {
        do {
            _ = try ClassifyRequest(serialized: classifyRequest(landmarks: 0, requestID: [0xC3, 0x28]))
            Issue.record("invalid UTF-8 was accepted")
        } catch {
            #expect(error.code == .invalidArgument)
            #expect(error.message.contains("request_id"))
        }
    }

    @Test func rejectsOverlongRequestID() {
        let long = [UInt8](repeating: 0x61, count: APILimits.maxRequestIDBytes + 1)
        #expect(throws: FaceGateAPIError.self) { try ClassifyRequest(serialized: classifyRequest(landmarks: 0, requestID: long)) }
    }

    @Test func rejectsMissingFaceAndGarbage() {
        #expect(throws: FaceGateAPIError.self) { try ClassifyRequest(serialized: []) }
        #expect(throws: FaceGateAPIError.self) { try ClassifyRequest(serialized: [0x12, 0x7F, 0x00]) }
        #expect(throws: FaceGateAPIError.self) { try EnrollRequest(serialized: []) }
    }

    @Test func rejectsRawPixelsThatDoNotFit() {
        let raw = RawPixels(width: 4, height: 4, format: .rgb8, pixels: [UInt8](repeating: 0, count: 47))
        let request = EmbedRequest(face: FaceInput(image: .raw(raw)))
        #expect(throws: FaceGateAPIError.self) { try EmbedRequest(serialized: request.serialized()) }
        let ok = RawPixels(width: 4, height: 4, format: .rgb8, pixels: [UInt8](repeating: 7, count: 48))
        #expect(throws: Never.self) { try EmbedRequest(serialized: EmbedRequest(face: FaceInput(image: .raw(ok))).serialized()) }
    }
}
