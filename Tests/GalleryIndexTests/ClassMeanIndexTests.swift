import Testing
@testable import GalleryIndex

@Suite struct ClassMeanIndexTests {
    @Test func distanceIsToTheMean() throws {
        var index = try ClassMeanIndex(base: try FlatIndex(dimension: 2))
        try index.add([0, 0], face: 1, identity: 7)
        try index.add([2, 0], face: 2, identity: 7)
        try index.add([0, 3], face: 3, identity: 8)
        let c = try index.search([1, 0], topK: 2)
        #expect(c.map(\.identity) == [7, 8])
        #expect(abs(c[0].distance) < 1e-6)
        #expect(c[0].face == nil)
        do { let ok = index.remove(face: 2); #expect(ok) }
        #expect(abs(try index.search([1, 0], topK: 1)[0].distance - 1) < 1e-6)
        do { let ok = index.remove(identity: 7) == 1; #expect(ok) }
        #expect(try index.search([1, 0], topK: 5).map(\.identity) == [8])
        #expect(index.count == 1)
    }

    @Test func sequentialBaseAgreesWithFlatBase() throws {
        let g = RandomGallery(identities: 80, faces: 4, dimension: 20, seed: 77)
        var a = try ClassMeanIndex(base: try FlatIndex(dimension: 20))
        var b = try ClassMeanIndex(base: try SequentialIndex(dimension: 20))
        try g.fill(&a)
        try g.fill(&b)
        for q in randomQueries(20, dimension: 20, seed: 78) {
            #expect(sameAnswerUpToNearTies(try a.search(q, topK: 4), try b.search(q, topK: 4)))
        }
    }
}
