import Testing
@testable import GalleryIndex

@Suite struct OpenSetTests {
    @Test func thresholdDecides() throws {
        let policy = try OpenSetPolicy(threshold: 0.5)
        #expect(policy.decide([Candidate(identity: 1, face: 1, distance: 0.5)]).decision == .match)
        #expect(policy.decide([Candidate(identity: 1, face: 1, distance: 0.51)]).decision == .unknown)
        #expect(policy.decide([]).decision == .unknown)
        expectGalleryError(.invalidArgument) { _ = try OpenSetPolicy(threshold: -1) }
    }

    @Test(arguments: [0.0, 0.01, 0.1, 0.5, 1.0])
    func fpirThresholdAdmitsAtMostTheTargetRate(fpir: Double) throws {
        var rng = SplitMix64(seed: 9)
        let impostors = (0..<1000).map { _ in Float(1 + rng.uniform()) }
        let policy = try OpenSetPolicy(targetFPIR: fpir, impostorDistances: impostors)
        let admitted = impostors.filter { $0 <= policy.threshold }.count
        #expect(Double(admitted) <= fpir * 1000)
        #expect(Double(admitted) >= fpir * 1000 - 1)
    }

    @Test func galleryImpostorsGiveAThreshold() throws {
        let g = SyntheticGallery(identities: 200, facesPerIdentity: 3, dimension: 32, spectrum: .mobileFaceNet,
                                 noiseRatio: 0.4, queryCount: 0, seed: 4)
        let index = try SequentialIndex(dimension: 32, vectors: g.vectors, faces: g.faces, identities: g.identities)
        let probes = (0..<g.faces.count).map { (Array(g.vectors[$0 * 32 ..< ($0 + 1) * 32]), g.identities[$0]) }
        let impostors = try index.impostorDistances(probes: probes)
        #expect(impostors.count == probes.count)
        let policy = try OpenSetPolicy(targetFPIR: 0.01, impostorDistances: impostors)
        // A probe's own face is at distance 0: a match; impostors mostly unknown.
        let own = try index.identify(probes[0].0, topK: 1, policy: policy)
        #expect(own.decision == .match)
        #expect(own.candidates.first?.identity == probes[0].1)
        #expect(impostors.filter { $0 <= policy.threshold }.count <= 6)
        expectGalleryError(.invalidArgument) { _ = try OpenSetPolicy(targetFPIR: 0.01, impostorDistances: []) }
    }
}
