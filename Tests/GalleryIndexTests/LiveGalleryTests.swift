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
}
