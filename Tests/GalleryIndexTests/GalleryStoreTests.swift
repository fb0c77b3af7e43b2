import Foundation
import Testing
@testable import GalleryIndex

/// A fresh temporary directory per test.
func temporaryDirectory() -> String {
    let dir = NSTemporaryDirectory() + "facegate-store-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

func storeConfig(_ path: String, model: String = "test-model", dimension: Int = 8) -> GalleryStore.Config {
    .init(path: path, modelID: model, dimension: dimension)
}

@Suite struct GalleryStoreTests {
    @Test func roundTripPagingAndStats() throws {
        let path = temporaryDirectory() + "/g.db"
        let store = try GalleryStore(config: storeConfig(path))
        var ids: [IdentityID] = []
        for i in 0..<7 {
            let rec = try store.createIdentity(displayName: "p\(i)", metadata: ["team": "t\(i % 2)"])
            _ = try store.addFaces((0..<i).map { k in NewFace(embedding: [Float](repeating: Float(k), count: 8), quality: 0.9) }, to: rec.id)
            ids.append(rec.id)
        }
        var seen: [IdentityRecord] = []
        var token: String?
        repeat {
            let page = try store.listIdentities(pageSize: 3, pageToken: token)
            #expect(page.items.count <= 3)
            seen += page.items
            token = page.nextPageToken
        } while token != nil
        #expect(seen.map(\.id) == ids)
        #expect(seen.map(\.faceCount) == Array(0..<7))
        #expect(seen[3].metadata == ["team": "t1"])
        #expect(try store.identity(ids[2]).displayName == "p2")
        let faces = try store.faces(of: ids[3])
        #expect(faces.count == 3)
        #expect(faces[1].embedding == [Float](repeating: 1, count: 8))
        #expect(faces[1].quality == 0.9)
        #expect(faces[1].modelID == "test-model")
        #expect(try store.stats().faces == 21)
        #expect(try store.stats().identities == 7)
        #expect(try store.deleteIdentity(ids[3]) == 3)
        expectGalleryError(.notFound) { try store.deleteFace(faces[0].id) }  // gone with its identity
        #expect(try store.stats().faces == 18)
    }

    @Test func deletesAndErrors() throws {
        let store = try GalleryStore(config: storeConfig(temporaryDirectory() + "/g.db"))
        let a = try store.createIdentity(displayName: "a")
        let f = try store.addFaces([NewFace(embedding: [Float](repeating: 1, count: 8))], to: a.id)
        try store.deleteFace(f[0].id)
        expectGalleryError(.notFound) { try store.deleteFace(f[0].id) }
        expectGalleryError(.notFound) { _ = try store.identity(999) }
        expectGalleryError(.notFound) { try store.deleteIdentity(999) }
        expectGalleryError(.notFound) { _ = try store.addFaces([NewFace(embedding: [Float](repeating: 1, count: 8))], to: 999) }
        expectGalleryError(.invalidArgument) { _ = try store.listIdentities(pageSize: 0) }
        expectGalleryError(.invalidArgument) { _ = try store.listIdentities(pageSize: 5, pageToken: "bogus") }
        // All or nothing: one bad vector, no face added.
        expectGalleryError(.dimensionMismatch) {
            _ = try store.addFaces([NewFace(embedding: [Float](repeating: 1, count: 8)), NewFace(embedding: [1])], to: a.id)
        }
        expectGalleryError(.nonFiniteVector) {
            _ = try store.addFaces([NewFace(embedding: [Float](repeating: .infinity, count: 8))], to: a.id)
        }
        #expect(try store.stats().faces == 0)
    }

    @Test func refusesAnotherModel() throws {
        let path = temporaryDirectory() + "/g.db"
        do { _ = try GalleryStore(config: storeConfig(path, model: "dlib-resnet-v1@55533b28")) }
        expectGalleryError(.modelMismatch) { _ = try GalleryStore(config: storeConfig(path, model: "mobilefacenet@1234")) }
        expectGalleryError(.modelMismatch) { _ = try GalleryStore(config: storeConfig(path, model: "dlib-resnet-v1@55533b28", dimension: 9)) }
        _ = try GalleryStore(config: storeConfig(path, model: "dlib-resnet-v1@55533b28"))
    }

    @Test func foreignAndCorruptedFiles() throws {
        let dir = temporaryDirectory()
        // Not SQLite at all.
        let junk = dir + "/junk.db"
        _ = FileManager.default.createFile(atPath: junk, contents: Data((0..<8192).map { UInt8($0 % 251) }))
        expectGalleryError(.foreignFile) { _ = try GalleryStore(config: storeConfig(junk)) }
        // Another application's SQLite database.
        let other = dir + "/other.db"
        do {
            let c = try SQLiteConnection(path: other, readOnly: false, create: true, busyTimeoutMS: 100)
            try c.execute("CREATE TABLE songs(title TEXT)")
        }
        expectGalleryError(.foreignFile) { _ = try GalleryStore(config: storeConfig(other)) }
        // A gallery with a damaged page.
        let damaged = dir + "/damaged.db"
        do {
            let store = try GalleryStore(config: storeConfig(damaged))
            for i in 0..<40 {
                let id = try store.createIdentity(displayName: "person \(i)")
                _ = try store.addFaces((0..<10).map { _ in NewFace(embedding: [Float](repeating: Float(i), count: 8)) }, to: id.id)
            }
        }  // the writer closes last and checkpoints the WAL into the file
        #expect(!FileManager.default.fileExists(atPath: damaged + "-wal"))
        var bytes = try Data(contentsOf: URL(fileURLWithPath: damaged))
        #expect(bytes.count >= 4 * 4096)
        for i in (2 * 4096)..<(3 * 4096) { bytes[i] = 0xA5 }
        try bytes.write(to: URL(fileURLWithPath: damaged))
        let e = caughtGalleryError {
            let store = try GalleryStore(config: storeConfig(damaged))
            _ = try store.loadIndex()
        }
        #expect(e?.code == .corrupted, "\(String(describing: e))")
        #expect(e?.message.contains(damaged) == true)
        // The same gallery cut short mid-page.
        let truncated = dir + "/truncated.db"
        try Data(bytes.prefix(3 * 4096 + 100)).write(to: URL(fileURLWithPath: truncated))
        let t = caughtGalleryError {
            let store = try GalleryStore(config: storeConfig(truncated))
            _ = try store.loadIndex()
        }
        #expect(t?.code == .corrupted || t?.code == .foreignFile, "\(String(describing: t))")
    }

    @Test func deleteErasesEmbeddingBytes() throws {
        let path = temporaryDirectory() + "/g.db"
        let marker: [Float] = [1234.5678, -8765.4321, 3.1415926, 2.7182818, 1234.5678, -8765.4321, 3.1415926, 2.7182818]
        let markerBytes = marker.withUnsafeBytes { Data($0) }
        do {
            let store = try GalleryStore(config: storeConfig(path))
            let keep = try store.createIdentity(displayName: "keep")
            _ = try store.addFaces([NewFace(embedding: [Float](repeating: 0.5, count: 8))], to: keep.id)
            let gone = try store.createIdentity(displayName: "gone")
            _ = try store.addFaces([NewFace(embedding: marker)], to: gone.id)
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).range(of: markerBytes) != nil)
        do {
            let store = try GalleryStore(config: storeConfig(path))
            let gone = try store.listIdentities(pageSize: 10).items.first { $0.displayName == "gone" }!
            #expect(try store.deleteIdentity(gone.id) == 1)
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).range(of: markerBytes) == nil)
        let wal = (try? Data(contentsOf: URL(fileURLWithPath: path + "-wal"))) ?? Data()
        #expect(wal.range(of: markerBytes) == nil)
    }

    @Test func indexRebuiltFromStoreMatchesFlat() throws {
        let path = temporaryDirectory() + "/g.db"
        let d = 16
        let g = SyntheticGallery(identities: 60, facesPerIdentity: 3, dimension: d, spectrum: .dlib, noiseRatio: 0.4, queryCount: 30, seed: 5)
        var flat = try FlatIndex(dimension: d)
        do {
            let store = try GalleryStore(config: storeConfig(path, dimension: d))
            for i in 0..<60 {
                let id = try store.createIdentity(displayName: "p\(i)")
                let recs = try store.addFaces((0..<3).map { k in NewFace(embedding: Array(g.vectors[(i * 3 + k) * d ..< (i * 3 + k + 1) * d])) }, to: id.id)
                for r in recs { try flat.add(r.embedding, face: r.id, identity: r.identity) }
            }
        }
        let index = try GalleryStore(config: storeConfig(path, dimension: d)).loadIndex()
        #expect(index.count == 180)
        #expect(index.fittedRows == 180)
        for q in 0..<30 {
            let v = Array(g.queries[q * d ..< (q + 1) * d])
            let a = try index.search(v, topK: 3), b = try flat.search(v, topK: 3)
            #expect(sameAnswerUpToNearTies(a, b))
            #expect(a.first?.face == b.first?.face)
        }
    }

    @Test func readersDuringWritesSeeWholeBatches() async throws {
        let store = try GalleryStore(config: storeConfig(temporaryDirectory() + "/g.db"))
        let id = try store.createIdentity(displayName: "stream")
        try await withThrowingTaskGroup(of: Int.self) { group in
            group.addTask {
                for b in 0..<60 {
                    _ = try store.addFaces((0..<4).map { _ in NewFace(embedding: [Float](repeating: Float(b), count: 8)) }, to: id.id)
                }
                return 0
            }
            for _ in 0..<2 {
                group.addTask {
                    var checks = 0
                    for _ in 0..<150 {
                        let faces = try store.stats().faces
                        #expect(faces % 4 == 0)
                        let listed = try store.faces(of: id.id).count
                        #expect(listed % 4 == 0)
                        checks += 1
                    }
                    return checks
                }
            }
            var total = 0
            for try await n in group { total += n }
            #expect(total == 300)
        }
        #expect(try store.stats().faces == 240)
    }
}
