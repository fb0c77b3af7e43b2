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

    /// The tail-norm lower bound must never exceed a row's full distance: exact answers on
    /// data whose tails vary a lot between rows (mixed scales), after adds and removes.
    @Test(arguments: [(40, [8, 8, 8]), (96, [8, 16, 24]), (128, [])])
    func tailBoundKeepsExactAnswers(dimension d: Int, widths: [Int]) throws {
        var rng = SplitMix64(seed: UInt64(d) &+ 70)
        var flat = try FlatIndex(dimension: d)
        var seq = try SequentialIndex(dimension: d, config: .init(pruning: .exact, levelWidths: widths))
        for r in 0..<600 {
            let scale = Float([0.1, 1, 3][r % 3])
            let v = (0..<d).map { j in Float(rng.gaussian()) * scale / Float(1 + j / 8) }
            try flat.add(v, face: FaceID(r + 1), identity: IdentityID(r / 3 + 1))
            try seq.add(v, face: FaceID(r + 1), identity: IdentityID(r / 3 + 1))
        }
        seq = seq.refitted()
        for f in stride(from: 5, through: 600, by: 13) { #expect(flat.remove(face: FaceID(f)) == seq.remove(face: FaceID(f))) }
        for q in 0..<40 {
            let scale = Float([0.1, 1, 3][q % 3])
            let v = (0..<d).map { j in Float(rng.gaussian()) * scale / Float(1 + j / 8) }
            for topK in [1, 4] {
                let a = try seq.search(v, topK: topK), b = try flat.search(v, topK: topK)
                #expect(sameAnswerUpToNearTies(a, b), "d \(d) topK \(topK): \(a) vs \(b)")
            }
        }
    }

    /// Tail norms are the norms of the unread components, row by row, kept through removals.
    @Test func tailNormsMatchTheRotatedRows() throws {
        let d = 40
        let g = RandomGallery(identities: 50, faces: 2, dimension: d, seed: 75)
        var seq = try SequentialIndex(dimension: d, config: .init(pruning: .exact, levelWidths: [8, 16]))
        try g.fill(&seq)
        seq = seq.refitted()
        seq.remove(face: 7)
        seq.remove(face: 60)
        let ends = seq.bandEnds
        #expect(seq.tails.boundaries == 2)
        for r in 0..<seq.count {
            var row = [Float](repeating: 0, count: seq.stride)
            row.withUnsafeMutableBufferPointer { rb in
                for (l, band) in seq.bands.enumerated() { seq.levels[l].copyRow(r, into: rb.baseAddress! + band.start) }
            }
            for l in 0..<2 {
                let want = row[ends[l]...].reduce(0) { $0 + $1 * $1 }.squareRoot()
                #expect(abs(seq.tails.norms(block: r / 8, level: l)[r % 8] - want) <= 1e-4 * max(1, want))
            }
        }
    }

    /// With the same delta, the expected-ratio rule keeps accuracy on a flat (MobileFaceNet-like)
    /// spectrum where the seed's partial ratio loses a lot, and still reads less than exact.
    @Test func expectedRatioIsSaferThanPartialRatioOnAFlatSpectrum() throws {
        let d = 128
        let g = SyntheticGallery(identities: 2000, facesPerIdentity: 5, dimension: d, spectrum: .mobileFaceNet,
                                 noiseRatio: 1.12, queryCount: 600, seed: 81)  // ~97% exact accuracy
        var index = try SequentialIndex(dimension: d, vectors: g.vectors, faces: g.faces, identities: g.identities)
        var result: [String: (hits: Int, read: Double)] = [:]
        for pruning in [SequentialIndex.Pruning.exact, .ratio(delta: 1.15), .expectedRatio(delta: 1.15)] {
            try index.setPruning(pruning)
            var hits = 0
            var work = SearchWork()
            for i in 0..<600 {
                let q = Array(g.queries[i * d ..< (i + 1) * d])
                if try index.search(q, topK: 1, work: &work).first?.identity == g.queryIdentities[i] { hits += 1 }
            }
            result[pruning.description] = (hits, work.fraction)
        }
        let exact = try #require(result["exact"]), seed = try #require(result["ratio(1.15)"]), expected = try #require(result["expected(1.15)"])
        #expect(exact.hits > 400, "exact accuracy \(exact.hits)/600")
        #expect(exact.hits - expected.hits <= 6, "\(result)")
        #expect(expected.hits > seed.hits + 30, "\(result)")
        #expect(expected.read < exact.read, "\(result)")
    }

    @Test func rejectsBadConfig() {
        expectGalleryError(.invalidArgument) { _ = try SequentialIndex(dimension: 8, config: .init(pruning: .ratio(delta: 0.9))) }
        expectGalleryError(.invalidArgument) { _ = try SequentialIndex(dimension: 8, config: .init(pruning: .exact, levelWidths: [0])) }
        expectGalleryError(.invalidArgument) {
            var index = try SequentialIndex(dimension: 8)
            try index.setPruning(.ratio(delta: 0.5))
        }
        expectGalleryError(.invalidArgument) { _ = try SequentialIndex(dimension: 8, config: .init(pruning: .expectedRatio(delta: 0.99))) }
    }

    @Test func defaultScheduleDoubles() throws {
        #expect(try SequentialIndex(dimension: 128).levelWidths == [32, 32, 64])
        #expect(try SequentialIndex(dimension: 512).levelWidths == [32, 32, 64, 128, 256])
        #expect(try SequentialIndex(dimension: 13).levelWidths == [16])
        #expect(try SequentialIndex(dimension: 100, config: .init(pruning: .exact, levelWidths: [20, 30])).levelWidths == [24, 32, 48])
    }
}
