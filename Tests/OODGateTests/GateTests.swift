import Testing
@testable import OODGate

@Suite("Gate")
struct GateTests {
    static func cues(_ change: (inout QualityCues) -> Void) -> QualityCues {
        var c = Fixtures.goodCues
        change(&c)
        return c
    }

    @Test("each cue limit yields its own reason", arguments: [
        (GateTests.cues { $0.sharpness = 3 }, [RejectReason.blurry]),
        (GateTests.cues { $0.faceSizePx = 8 }, [.tooSmall]),
        (GateTests.cues { $0.brightness = 20 }, [.tooDark]),
        (GateTests.cues { $0.clippedDarkFraction = 0.6 }, [.tooDark]),
        (GateTests.cues { $0.brightness = 240 }, [.tooBright]),
        (GateTests.cues { $0.clippedBrightFraction = 0.5 }, [.tooBright]),
        (GateTests.cues { $0.contrast = 5 }, [.lowContrast]),
        (GateTests.cues { $0.landmarkConfidence = 0.1 }, [.occluded]),
        (GateTests.cues { $0.rollDegrees = -50 }, [.pose]),
        (GateTests.cues { $0.yawProxy = -1 }, [.pose]),
        (GateTests.cues { $0.sharpness = 3; $0.faceSizePx = 5 }, [.blurry, .tooSmall]),
        (GateTests.cues { $0.landmarkConfidence = 0 }, []),  // 0 = not available, not "occluded"
        (Fixtures.goodCues, []),
    ])
    func reasons(cues: QualityCues, expected: [RejectReason]) throws {
        let v = try Gate.default.evaluate(embeddings: [], cues: [cues])[0]
        #expect(v.reasons == expected)
        #expect(v.isOutOfDistribution == !expected.isEmpty)
        #expect(v.accepted == expected.isEmpty)
        // The cue-only score crosses the 0.5 threshold exactly when a limit is violated.
        #expect((v.oodScore >= 0.5) == !expected.isEmpty)
        #expect(v.threshold == 0.5)
    }

    @Test("policy: exclude rejects, flag and off accept, the score is always returned", arguments: GatePolicy.allCases)
    func policy(policy: GatePolicy) throws {
        let gate = Gate(policy: policy)
        let bad = Self.cues { $0.sharpness = 1 }
        let verdicts = try gate.evaluate(embeddings: [], cues: [bad, Fixtures.goodCues])
        #expect(verdicts[0].accepted == (policy != .exclude))
        #expect(verdicts[0].isOutOfDistribution)
        #expect(verdicts[0].reasons == [.blurry])
        #expect(verdicts[0].oodScore > 0.5)
        #expect(verdicts[1].accepted && !verdicts[1].isOutOfDistribution && verdicts[1].oodScore < 0.5)
    }

    @Test("a learned scorer adds OUT_OF_DISTRIBUTION when no cue explains the rejection")
    func learned() throws {
        // A one-layer "network" whose logit is 10 * (first embedding value - 0.5) after identity scaling.
        let d = 2
        let width = d + QualityCues.featureCount
        var weights = [Float](repeating: 0, count: width)
        weights[0] = 10
        let net = MLP(layers: [MLP.Layer(inputs: width, outputs: 1, weights: weights, bias: [-5])])
        let scorer = try GateScorer(modelID: "m", embeddingDimensions: d,
                                    normaliser: FeatureNormaliser(mean: .init(repeating: 0, count: width), inverseStd: .init(repeating: 1, count: width)),
                                    network: net, threshold: 0.5)
        let gate = Gate(scorer: scorer)
        let blurry = Self.cues { $0.sharpness = 1 }
        let v = try gate.evaluate(embeddings: [0.9, 0, 0.1, 0, 0.9, 0], cues: [Fixtures.goodCues, Fixtures.goodCues, blurry])
        #expect(v[0].reasons == [.outOfDistribution] && !v[0].accepted && abs(v[0].oodScore - sigmoid(4)) < 1e-5)
        #expect(v[1].reasons.isEmpty && v[1].accepted)
        #expect(v[2].reasons == [.blurry])
        // Wrong embedding sizes throw instead of trapping.
        #expect(throws: GateError.self) { try gate.evaluate(embeddings: [1, 2, 3], cues: [Fixtures.goodCues]) }
    }

    @Test("no face: NO_FACE with score 1")
    func noFace() {
        let v = GateVerdict.noFace(policy: .exclude, threshold: 0.4)
        #expect(v.reasons == [.noFace] && !v.accepted && v.oodScore == 1 && v.cues == nil)
    }

    @Test("reason raw values match the public API enum")
    func rawValues() {
        #expect(RejectReason.blurry.rawValue == 1 && RejectReason.noFace.rawValue == 9)
        #expect(RejectReason.allCases.map(\.description) == [
            "BLURRY", "TOO_SMALL", "TOO_DARK", "TOO_BRIGHT", "LOW_CONTRAST", "OCCLUDED", "POSE", "OUT_OF_DISTRIBUTION", "NO_FACE",
        ])
    }
}
