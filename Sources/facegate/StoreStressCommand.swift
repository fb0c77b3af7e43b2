import ArgumentParser
import GalleryIndex
#if canImport(Glibc)
import Glibc
#endif

/// `facegate store-stress` (hidden): enrols synthetic faces in a loop and prints `ack <face id>`
/// after each committed batch. The crash-safety test SIGKILLs it mid-stream and checks that
/// every acknowledged face survived and no batch is half-written.
struct StoreStressCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store-stress",
        abstract: "Enrol synthetic faces in a loop, printing each acknowledged face id (crash tests).",
        shouldDisplay: false
    )

    @Option(help: "Gallery database file.")
    var db: String

    @Option(help: "Embedding dimension.")
    var dimension: Int = 16

    @Option(help: "Faces per batch (one transaction).")
    var batch: Int = 3

    @Option(help: "Batches to enrol (0 = until killed).")
    var count: Int = 0

    func run() throws {
        let store = try GalleryStore(config: .init(path: db, modelID: "stress-model", dimension: dimension))
        var n = 0
        while count == 0 || n < count {
            let identity = try store.createIdentity(displayName: "person \(n)", metadata: ["batch": String(n)])
            // Component 0 carries the identity id, so the checker can tell rows apart.
            let faces = (0..<batch).map { k in
                NewFace(embedding: (0..<dimension).map { $0 == 0 ? Float(identity.id) : Float(k + $0) }, quality: 0.5)
            }
            let stored = try store.addFaces(faces, to: identity.id)
            for f in stored { print("ack \(identity.id) \(f.id)") }
            fflush(nil)  // flush every output stream: the ack must leave before the next batch
            n += 1
        }
    }
}
