import Testing
@testable import GalleryIndex

@Suite struct LiveGalleryTests {
    @Test func refitsInTheBackgroundAndStaysExact() async throws {
        let d = 24
        let g = SyntheticGallery(identities: 150, facesPerIdentity: 4, dimension: d, spectrum: .dlib,
                                 noiseRatio: 0.4, queryCount: 40, seed: 12)
        let live = LiveGallery(index: try SequentialIndex(dimension: d))
        var flat = try FlatIndex(dimension: d)
        for r in 0..<g.faces.count {
            let rec = FaceRecord(id: g.faces[r], identity: g.identities[r], embedding: Array(g.vectors[r * d ..< (r + 1) * d]),
                                 modelID: "m", quality: nil, createdMicros: 0)
            try await live.add([rec])
            try flat.add(rec.embedding, face: rec.id, identity: rec.identity)
            if r % 50 == 0 {
                // Searches during refits answer exactly.
                let q = Array(g.queries[0..<d])
                #expect(sameAnswerUpToNearTies(try await live.search(q, topK: 3), try flat.search(q, topK: 3)))
            }
        }
        await live.remove(identity: 3)
        flat.remove(identity: 3)
        await live.waitForRefit()
        #expect(await live.refits >= 2)  // first fit at 64 rows, then after the gallery doubled
        let snap = await live.snapshot
        #expect(snap.fittedRows >= 128)
        #expect(snap.count == flat.count)
        for q in 0..<40 {
            let v = Array(g.queries[q * d ..< (q + 1) * d])
            #expect(sameAnswerUpToNearTies(try snap.search(v, topK: 5), try flat.search(v, topK: 5)))
        }
    }

    @Test func startsUnfittedAndFitsInTheBackground() async throws {
        let d = 16
        let g = SyntheticGallery(identities: 50, facesPerIdentity: 3, dimension: d, spectrum: .dlib,
                                 noiseRatio: 0.4, queryCount: 10, seed: 13)
        let index = try SequentialIndex(dimension: d, vectors: g.vectors, faces: g.faces, identities: g.identities, fitBasis: false)
        #expect(index.fittedRows == 0)
        #expect(index.needsRefit)
        let flat = try FlatIndex(dimension: d, vectors: g.vectors, faces: g.faces, identities: g.identities)
        let live = LiveGallery(index: index)
        await live.refitIfNeeded()
        let q = Array(g.queries[0..<d])
        #expect(sameAnswerUpToNearTies(try await live.search(q, topK: 3), try flat.search(q, topK: 3)))
        await live.waitForRefit()
        #expect(await live.snapshot.fittedRows == 150)
        #expect(sameAnswerUpToNearTies(try await live.search(q, topK: 3), try flat.search(q, topK: 3)))
    }

    /// Many concurrent searches while the background refit builds and swaps in a new basis:
    /// every search sees either the unfitted (old) index or the fitted (new) one, never a mix,
    /// and every answer equals `FlatIndex`'s (exact mode).
    @Test func concurrentSearchesDuringARefitSeeOldOrNewIndex() async throws {
        let d = 64
        let g = SyntheticGallery(identities: 600, facesPerIdentity: 4, dimension: d, spectrum: .mobileFaceNet,
                                 noiseRatio: 0.5, queryCount: 64, seed: 14)
        let index = try SequentialIndex(dimension: d, vectors: g.vectors, faces: g.faces, identities: g.identities, fitBasis: false)
        let flat = try FlatIndex(dimension: d, vectors: g.vectors, faces: g.faces, identities: g.identities)
        let live = LiveGallery(index: index)
        let queries = (0..<64).map { Array(g.queries[$0 * d ..< ($0 + 1) * d]) }
        let expected = try queries.map { try flat.search($0, topK: 3) }
        await live.refitIfNeeded()
        let seen = try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
            for worker in 0..<4 {
                group.addTask {
                    var fits: [Int] = [], exact = true
                    for round in 0..<40 {
                        let q = (worker * 40 + round) % queries.count
                        // Off-actor snapshot search (the service's parallel path) and on-actor search.
                        let snap = await live.snapshot
                        fits.append(snap.fittedRows)
                        let offActor = try snap.search(queries[q], topK: 3)
                        let onActor = try await live.search(queries[q], topK: 3)
                        if !sameAnswerUpToNearTies(offActor, expected[q]) || !sameAnswerUpToNearTies(onActor, expected[q]) { exact = false }
                        await Task.yield()
                    }
                    return (fits.allSatisfy { $0 == 0 || $0 == g.faces.count } ? 1 : 0, exact)
                }
            }
            var all: [(Int, Bool)] = []
            for try await r in group { all.append(r) }
            return all
        }
        #expect(seen.allSatisfy { $0.0 == 1 }, "a search saw a basis fitted on neither the old nor the new rows")
        #expect(seen.allSatisfy { $0.1 }, "a search during the refit differed from FlatIndex")
        await live.waitForRefit()
        #expect(await live.refits == 1)
        let snap = await live.snapshot
        #expect(snap.fittedRows == g.faces.count)
        for (q, want) in zip(queries, expected) { #expect(sameAnswerUpToNearTies(try snap.search(q, topK: 3), want)) }
    }

    /// Drift: rows from another distribution (isotropic, like another model's embeddings) put
    /// less of their energy in level 1 than the fitted basis promised, and trigger a refit long
    /// before the gallery doubles; more rows of the fitted distribution do not.
    @Test func driftTriggersARefitBeforeGrowthDoes() throws {
        let d = 64
        let a = SyntheticGallery(identities: 1200, facesPerIdentity: 2, dimension: d, spectrum: .dlib,
                                 noiseRatio: 0.4, queryCount: 0, seed: 15)
        let config = SequentialIndex.Config(pruning: .exact, levelWidths: [16, 16])
        var index = try SequentialIndex(dimension: d, config: config, vectors: Array(a.vectors[..<(2000 * d)]),
                                        faces: Array(a.faces[..<2000]), identities: Array(a.identities[..<2000]))
        #expect(index.fittedRows == 2000)
        #expect(!index.needsRefit)
        var rng = SplitMix64(seed: 16)
        var added = 0
        while !index.needsRefit && added < 200 {
            var v = (0..<d).map { _ in Float(rng.gaussian()) }
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            v = v.map { $0 / norm }
            try index.add(v, face: 10_000 + FaceID(added), identity: 10_000 + IdentityID(added))
            added += 1
        }
        #expect(index.needsRefit)
        #expect(added < 100, "refit asked for after \(added) drifted rows (growth alone would need 2000)")
        #expect(index.levelOneDrift > 0.2)
        var same = try SequentialIndex(dimension: d, config: config, vectors: Array(a.vectors[..<(2000 * d)]),
                                       faces: Array(a.faces[..<2000]), identities: Array(a.identities[..<2000]))
        for r in 2000..<2400 { try same.add(Array(a.vectors[r * d ..< (r + 1) * d]), face: a.faces[r], identity: a.identities[r]) }
        #expect(!same.needsRefit, "drift \(same.levelOneDrift)")
        #expect(abs(same.levelOneDrift) < 0.05)
    }
}
