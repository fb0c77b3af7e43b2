import Testing
@testable import GalleryIndex

/// Random gallery rows with fixed seeds for the index tests.
struct RandomGallery {
    var vectors: [[Float]] = []
    var faces: [FaceID] = []
    var identities: [IdentityID] = []

    init(identities n: Int, faces k: Int, dimension d: Int, seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        var face: FaceID = 1
        for i in 0..<n {
            for _ in 0..<k {
                vectors.append((0..<d).map { _ in Float(rng.gaussian()) })
                faces.append(face)
                identities.append(IdentityID(i + 1))
                face += 1
            }
        }
    }

    func fill<I: VectorIndex>(_ index: inout I) throws {
        for r in 0..<vectors.count { try index.add(vectors[r], face: faces[r], identity: identities[r]) }
    }
}

func randomQueries(_ count: Int, dimension d: Int, seed: UInt64) -> [[Float]] {
    var rng = SplitMix64(seed: seed)
    return (0..<count).map { _ in (0..<d).map { _ in Float(rng.gaussian()) } }
}

/// Same identities in the same order, distances equal to 1e-4 relative.
func sameAnswer(_ a: [Candidate], _ b: [Candidate]) -> Bool {
    guard a.count == b.count else { return false }
    for (x, y) in zip(a, b) {
        guard x.identity == y.identity else { return false }
        guard abs(x.distance - y.distance) <= 1e-4 * max(1, abs(y.distance)) else { return false }
    }
    return true
}

/// Like `sameAnswer`, but near-ties (within float rounding) may swap places.
func sameAnswerUpToNearTies(_ a: [Candidate], _ b: [Candidate]) -> Bool {
    guard a.count == b.count else { return false }
    for (x, y) in zip(a, b) where abs(x.distance - y.distance) > 1e-4 * max(1, abs(y.distance)) { return false }
    var i = 0
    while i < a.count {
        var j = i
        while j + 1 < a.count, abs(a[j + 1].distance - a[i].distance) <= 1e-4 * max(1, a[i].distance) { j += 1 }
        if Set(a[i...j].map(\.identity)) != Set(b[i...j].map(\.identity)) { return false }
        i = j + 1
    }
    return true
}

/// Expects `body` to throw a `GalleryError` with `code`.
func expectGalleryError(_ code: GalleryError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("expected GalleryError \(code), nothing was thrown", sourceLocation: sourceLocation)
    } catch let e as GalleryError {
        #expect(e.code == code, "\(e)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected GalleryError \(code), got \(error)", sourceLocation: sourceLocation)
    }
}

/// The `GalleryError` thrown by `body`, or nil.
func caughtGalleryError(_ body: () throws -> Void) -> GalleryError? {
    do {
        try body()
        return nil
    } catch {
        return error as? GalleryError
    }
}
