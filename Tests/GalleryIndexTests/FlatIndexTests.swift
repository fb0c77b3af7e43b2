import Testing
@testable import GalleryIndex

@Suite struct FlatIndexTests {
    /// Naive reference: per-identity minimum of plain Euclidean distances.
    func naive(_ g: RandomGallery, _ q: [Float], topK: Int) -> [Candidate] {
        var best: [IdentityID: (Float, FaceID)] = [:]
        for r in 0..<g.vectors.count {
            var s: Float = 0
            for j in 0..<q.count { let t = q[j] - g.vectors[r][j]; s += t * t }
            let d = s.squareRoot()
            if let b = best[g.identities[r]], b.0 <= d { continue }
            best[g.identities[r]] = (d, g.faces[r])
        }
        return best.map { Candidate(identity: $0.key, face: $0.value.1, distance: $0.value.0) }
            .sorted { ($0.distance, $0.identity) < ($1.distance, $1.identity) }
            .prefix(topK).map { $0 }
    }

    @Test(arguments: [(1, 3), (13, 5), (64, 1), (100, 10)])
    func matchesNaiveReference(dimension: Int, topK: Int) throws {
        let g = RandomGallery(identities: 60, faces: 3, dimension: dimension, seed: 1)
        var index = try FlatIndex(dimension: dimension)
        try g.fill(&index)
        #expect(index.count == 180)
        #expect(index.identityCount == 60)
        for q in randomQueries(20, dimension: dimension, seed: 2) {
            #expect(sameAnswerUpToNearTies(try index.search(q, topK: topK), naive(g, q, topK: topK)))
        }
    }

    @Test func batchEqualsSingle() throws {
        let d = 37
        let g = RandomGallery(identities: 300, faces: 2, dimension: d, seed: 3)
        var index = try FlatIndex(dimension: d)
        try g.fill(&index)
        let qs = randomQueries(70, dimension: d, seed: 4)
        let batch = try index.search(batch: qs.flatMap { $0 }, topK: 5)
        #expect(batch.count == 70)
        for (q, b) in zip(qs, batch) { #expect(sameAnswerUpToNearTies(b, try index.search(q, topK: 5))) }
    }

    @Test func removalStopsMatchingAtOnce() throws {
        var index = try FlatIndex(dimension: 4)
        try index.add([1, 0, 0, 0], face: 10, identity: 1)
        try index.add([0, 1, 0, 0], face: 11, identity: 2)
        try index.add([0, 0.9, 0, 0], face: 12, identity: 2)
        #expect(try index.search([0, 1, 0, 0], topK: 1).first?.identity == 2)
        do { let ok = index.remove(identity: 2) == 2; #expect(ok) }
        #expect(try index.search([0, 1, 0, 0], topK: 5).map(\.identity) == [1])
        do { let ok = index.remove(face: 10); #expect(ok) }
        do { let ok = !index.remove(face: 10); #expect(ok) }
        #expect(try index.search([0, 1, 0, 0], topK: 5).isEmpty)
    }

    @Test func rejectsBadInput() throws {
        var index = try FlatIndex(dimension: 3)
        #expect(throws: GalleryError(.dimensionMismatch, "vector has 2 components, index dimension is 3")) {
            try index.add([1, 2], face: 1, identity: 1)
        }
        expectGalleryError(.nonFiniteVector) { _ = try index.add([1, .nan, 2], face: 1, identity: 1) }
        try index.add([1, 2, 3], face: 1, identity: 1)
        expectGalleryError(.duplicateFace) { _ = try index.add([1, 2, 3], face: 1, identity: 2) }
        expectGalleryError(.invalidArgument) { _ = try index.search([1, 2, 3], topK: 0) }
        expectGalleryError(.dimensionMismatch) { _ = try index.search(batch: [1, 2], topK: 1) }
        expectGalleryError(.invalidArgument) { _ = try FlatIndex(dimension: 0) }
    }

    @Test func memoryIsCloseToRawBytes() throws {
        let g = RandomGallery(identities: 1000, faces: 10, dimension: 128, seed: 5)
        var index = try FlatIndex(dimension: 128)
        try g.fill(&index)
        let raw = 10_000 * 128 * 4
        #expect(index.memoryBytes >= raw)
        #expect(Double(index.memoryBytes) <= 1.2 * Double(raw), "\(index.memoryBytes) bytes for \(raw) raw")
    }
}
