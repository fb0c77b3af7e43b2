import Testing
@testable import GalleryIndex

@Suite struct SequentialIndexTests {
    static let shapes: [(dimension: Int, widths: [Int], identities: Int, faces: Int)] = [
        (13, [8], 40, 3),             // d not a multiple of 8
        (37, [8, 8], 200, 2),         // d not a multiple of the level width
        (64, [], 500, 4),             // default schedule
        (128, [16, 16, 32], 300, 5),
        (5, [], 1, 30),               // one class
    ]

    @Test(arguments: 0..<shapes.count)
    func exactEqualsFlat(shape: Int) throws {
        let s = Self.shapes[shape]
        let g = RandomGallery(identities: s.identities, faces: s.faces, dimension: s.dimension, seed: UInt64(shape) + 10)
        var flat = try FlatIndex(dimension: s.dimension)
        var seq = try SequentialIndex(dimension: s.dimension, config: .init(pruning: .exact, levelWidths: s.widths))
        try g.fill(&flat)
        try g.fill(&seq)
        seq = seq.refitted()
        #expect(seq.fittedRows == (g.faces.count >= 64 ? g.faces.count : 0))
        for topK in [1, 3, 10] {
            for q in randomQueries(25, dimension: s.dimension, seed: 99) {
                let a = try seq.search(q, topK: topK), b = try flat.search(q, topK: topK)
                #expect(sameAnswerUpToNearTies(a, b), "topK \(topK): \(a) vs \(b)")
            }
        }
    }

    @Test func emptyGallery() throws {
        let seq = try SequentialIndex(dimension: 16)
        #expect(try seq.search([Float](repeating: 0, count: 16), topK: 3).isEmpty)
        #expect(seq.refitted().count == 0)
    }

    @Test func tiesAndDuplicatesRankLikeFlat() throws {
        // Every vector appears under three identities; queries equal to gallery vectors.
        let d = 24
        let base = RandomGallery(identities: 30, faces: 1, dimension: d, seed: 21)
        var flat = try FlatIndex(dimension: d)
        var seq = try SequentialIndex(dimension: d, config: .init(pruning: .exact, levelWidths: [8]))
        var face: FaceID = 1
        var rows: [([Float], FaceID, IdentityID)] = []
        for (r, v) in base.vectors.enumerated() {
            for copy in 0..<3 { rows.append((v, face, IdentityID(r * 3 + copy + 1))); face += 1 }
        }
        for (v, f, i) in rows { try flat.add(v, face: f, identity: i); try seq.add(v, face: f, identity: i) }
        seq = seq.refitted()
        for v in base.vectors.prefix(10) {
            for topK in [1, 2, 3, 4, 7] {
                let a = try seq.search(v, topK: topK), b = try flat.search(v, topK: topK)
                #expect(a.map(\.identity) == b.map(\.identity))
                #expect(zip(a, b).allSatisfy { abs($0.distance - $1.distance) <= 1e-4 })
            }
        }
    }

    @Test func exactSurvivesAddsAndRemovesAfterFit() throws {
        let d = 32
        let g = RandomGallery(identities: 150, faces: 3, dimension: d, seed: 31)
        var flat = try FlatIndex(dimension: d)
        var seq = try SequentialIndex(dimension: d)
        try g.fill(&flat)
        try g.fill(&seq)
        seq = seq.refitted()
        let extra = RandomGallery(identities: 20, faces: 2, dimension: d, seed: 32)
        for r in 0..<extra.vectors.count {
            try flat.add(extra.vectors[r], face: 10_000 + FaceID(r), identity: 1_000 + extra.identities[r])
            try seq.add(extra.vectors[r], face: 10_000 + FaceID(r), identity: 1_000 + extra.identities[r])
        }
        for id in stride(from: 1, through: 150, by: 7) { flat.remove(identity: IdentityID(id)); seq.remove(identity: IdentityID(id)) }
        for f in stride(from: 2, through: 450, by: 11) { let a = flat.remove(face: FaceID(f)), b = seq.remove(face: FaceID(f)); #expect(a == b) }
        #expect(flat.count == seq.count)
        #expect(flat.identityCount == seq.identityCount)
        for q in randomQueries(30, dimension: d, seed: 33) {
            #expect(sameAnswerUpToNearTies(try seq.search(q, topK: 5), try flat.search(q, topK: 5)))
        }
    }

    @Test func bulkBuildEqualsIncremental() throws {
        let g = SyntheticGallery(identities: 200, facesPerIdentity: 5, dimension: 64, spectrum: .dlib,
                                 noiseRatio: 0.5, queryCount: 50, seed: 41)
        let seq = try SequentialIndex(dimension: 64, vectors: g.vectors, faces: g.faces, identities: g.identities)
        var flat = try FlatIndex(dimension: 64)
        for r in 0..<g.faces.count { try flat.add(Array(g.vectors[r * 64 ..< (r + 1) * 64]), face: g.faces[r], identity: g.identities[r]) }
        #expect(seq.fittedRows == 1000)
        #expect(seq.varianceFraction(components: 16) > 0.4)
        for i in 0..<50 {
            let q = Array(g.queries[i * 64 ..< (i + 1) * 64])
            #expect(sameAnswerUpToNearTies(try seq.search(q, topK: 3), try flat.search(q, topK: 3)))
        }
    }

    @Test func exactReadsLessOnAnisotropicData() throws {
        let g = SyntheticGallery(identities: 1000, facesPerIdentity: 5, dimension: 128, spectrum: .dlib,
                                 noiseRatio: 0.45, queryCount: 100, seed: 51)
        let seq = try SequentialIndex(dimension: 128, vectors: g.vectors, faces: g.faces, identities: g.identities)
        var work = SearchWork()
        for i in 0..<100 { _ = try seq.search(Array(g.queries[i * 128 ..< (i + 1) * 128]), topK: 1, work: &work) }
        #expect(work.fraction < 0.5, "read \(work.fraction) of a full scan")
    }

    @Test func ratioModeLosesUnderHalfAPointOnSyntheticGallery() throws {
        let d = 128
        let g = SyntheticGallery(identities: 1000, facesPerIdentity: 5, dimension: d, spectrum: .dlib,
                                 noiseRatio: 0.45, queryCount: 1000, seed: 61)
        let exact = try SequentialIndex(dimension: d, vectors: g.vectors, faces: g.faces, identities: g.identities)
        let ratio = try SequentialIndex(dimension: d, config: .init(pruning: .ratio(delta: 1.6)),
                                        vectors: g.vectors, faces: g.faces, identities: g.identities)
        var hitsExact = 0, hitsRatio = 0
        var work = SearchWork()
        for i in 0..<1000 {
            let q = Array(g.queries[i * d ..< (i + 1) * d])
            if try exact.search(q, topK: 1).first?.identity == g.queryIdentities[i] { hitsExact += 1 }
            if try ratio.search(q, topK: 1, work: &work).first?.identity == g.queryIdentities[i] { hitsRatio += 1 }
        }
        #expect(hitsExact > 900, "exact accuracy \(hitsExact)/1000")
        #expect(hitsExact - hitsRatio <= 5, "exact \(hitsExact) ratio \(hitsRatio) per 1000")
        #expect(work.fraction < 0.6)
    }

    @Test func rejectsBadConfig() {
        expectGalleryError(.invalidArgument) { _ = try SequentialIndex(dimension: 8, config: .init(pruning: .ratio(delta: 0.9))) }
        expectGalleryError(.invalidArgument) { _ = try SequentialIndex(dimension: 8, config: .init(pruning: .exact, levelWidths: [0])) }
        expectGalleryError(.invalidArgument) {
            var index = try SequentialIndex(dimension: 8)
            try index.setPruning(.ratio(delta: 0.5))
        }
    }

    @Test func defaultScheduleDoubles() throws {
        #expect(try SequentialIndex(dimension: 128).levelWidths == [32, 32, 64])
        #expect(try SequentialIndex(dimension: 512).levelWidths == [32, 32, 64, 128, 256])
        #expect(try SequentialIndex(dimension: 13).levelWidths == [16])
        #expect(try SequentialIndex(dimension: 100, config: .init(pruning: .exact, levelWidths: [20, 30])).levelWidths == [24, 32, 48])
    }
}
