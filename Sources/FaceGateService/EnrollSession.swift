import FaceGateAPI
import GRPCProtocol
import GalleryIndex
import Synchronization

/// One `Enroll` stream: resolves the identity from the first message, then processes faces
/// concurrently (shared engine batches) and decides + commits them one at a time in request
/// order, answering each face with a verdict as soon as it is decided, and the stream with a
/// summary.
struct EnrollSession: Sendable {
    let runtime: FaceGateRuntime
    let stream: UInt64
    let deadline: ContinuousClock.Instant?

    /// What happened to one face before the commit decision.
    private enum Outcome: Sendable {
        case processed(requestID: String, face: ProcessedFace)
        case failed(requestID: String, error: ServiceError)
    }

    /// Running totals for the summary.
    private struct Tally: Sendable {
        var received = 0
        var accepted = 0
        var rejects: [FaceGateAPI.RejectReason: Int] = [:]
        var duplicates = 0
        var crossMatches = 0
        var errors = 0
    }

    func run(requests: RequestStream, writer: ResponseWriter) async throws {
        var iterator = requests.makeAsyncIterator()
        guard let first = try await iterator.next() else {
            throw ServiceError(.invalidArgument, "empty Enroll stream: the first message must be `start`")
        }
        guard case .start(let start) = try EnrollRequest(serialized: first) else {
            throw ServiceError(.invalidArgument, "the first Enroll message must be `start`, not a face")
        }
        let (identity, created) = try await resolve(start)
        try await writer.write(EnrollResponse.started(identity: FaceGateRuntime.identityMessage(identity), created: created).serialized())

        let tally = LockedValue(Tally())
        let runtime = self.runtime
        let stream = self.stream
        let deadline = self.deadline
        try await orderedStreamMap(requests, window: runtime.config.limits.streamWindow) { bytes -> Outcome in
            let requestID: String
            let face: FaceInput
            do {
                guard case .face(let enrollFace) = try EnrollRequest(serialized: bytes) else {
                    return .failed(requestID: "", error: ServiceError(.invalidArgument, "`start` may only be the first message"))
                }
                requestID = enrollFace.requestID
                face = enrollFace.face
            } catch {
                return .failed(requestID: "", error: ServiceError(error))
            }
            do {
                return .processed(requestID: requestID, face: try await runtime.pipeline.process(face, stream: stream, deadline: deadline))
            } catch {
                return .failed(requestID: requestID, error: ServiceError(error))
            }
        } emit: { outcome in
            let verdict = await decide(outcome, identity: identity.id, allowCrossMatch: start.allowCrossIdentityMatch, tally: tally)
            try await writer.write(EnrollResponse.verdict(verdict).serialized())
        }
        await runtime.refreshGalleryGauges()
        try await writer.write(EnrollResponse.summary(try await summary(identity: identity.id, tally: tally.withLock { $0 })).serialized())
    }

    /// Finds or creates the identity named by `start`.
    private func resolve(_ start: EnrollStart) async throws -> (IdentityRecord, Bool) {
        if !start.identityID.isEmpty {
            let id = try FaceGateRuntime.parseID(start.identityID, field: "start.identity_id")
            return (try await runtime.gallery.identity(id), false)
        }
        let name = start.displayName.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else {
            throw ServiceError(.invalidArgument, "start.display_name is required to create an identity")
        }
        var metadata: [String: String] = [:]
        for entry in start.metadata { metadata[entry.key] = entry.value }
        let record = try await runtime.gallery.createIdentity(displayName: name, metadata: metadata)
        runtime.logger.info("identity created", metadata: ["identity": "\(record.id)", "name": "\(name)"])
        return (record, true)
    }

    /// Gate, duplicate and cross-identity checks, then the durable commit.
    private func decide(
        _ outcome: Outcome, identity: IdentityID, allowCrossMatch: Bool, tally: LockedValue<Tally>
    ) async -> FaceVerdictMessage {
        var verdict = FaceVerdictMessage()
        tally.withLock { $0.received += 1 }
        let face: ProcessedFace
        switch outcome {
        case .failed(let requestID, let error):
            verdict.requestID = requestID
            verdict.error = error.faceError
            tally.withLock { $0.errors += 1 }
            return verdict
        case .processed(let requestID, let processed):
            verdict.requestID = requestID
            face = processed
        }
        verdict.ood = FaceGateRuntime.verdictMessage(face.verdict)
        verdict.quality = 1 - face.verdict.oodScore
        verdict.timing = face.timing
        guard face.verdict.accepted else {
            let reasons = verdict.ood?.reasons ?? []
            tally.withLock { t in for r in reasons { t.rejects[r, default: 0] += 1 } }
            for reason in face.verdict.reasons { runtime.metrics.recordReject(reason: reason.description) }
            return verdict
        }
        do {
            let config = runtime.config.gallery
            let own = try await runtime.gallery.faces(of: identity)
            if let nearest = own.map({ (face: $0, d: Self.distance($0.embedding, face.embedding)) }).min(by: { $0.d < $1.d }),
                nearest.d < config.duplicateDistance
            {
                verdict.duplicateOfFaceID = String(nearest.face.id)
                tally.withLock { $0.duplicates += 1 }
                return verdict
            }
            let ranked = try await runtime.gallery.identify(face.embedding, topK: 3)
            if let other = ranked.candidates.first(where: { $0.identity != identity }), other.distance <= ranked.threshold {
                verdict.matchesIdentityID = String(other.identity)
                verdict.matchesDistance = other.distance
                if !allowCrossMatch {
                    let name = await runtime.gallery.displayName(of: other.identity)
                    verdict.error = ServiceError(
                        .alreadyExists,
                        "this face matches identity \(other.identity) (\(name)) at distance \(other.distance); "
                            + "set allow_cross_identity_match to enroll it anyway"
                    ).faceError
                    tally.withLock { $0.crossMatches += 1 }
                    return verdict
                }
            }
            let committed = try await runtime.gallery.addFaces([NewFace(embedding: face.embedding, quality: verdict.quality)], to: identity)
            verdict.accepted = true
            verdict.faceID = String(committed[0].id)
            tally.withLock { $0.accepted += 1 }
        } catch {
            verdict.error = ServiceError(error).faceError
            tally.withLock { $0.errors += 1 }
        }
        return verdict
    }

    private func summary(identity: IdentityID, tally: Tally) async throws -> EnrollSummaryMessage {
        let record = try await runtime.gallery.identity(identity)
        var summary = EnrollSummaryMessage()
        summary.identity = FaceGateRuntime.identityMessage(record)
        summary.facesReceived = tally.received
        summary.facesAccepted = tally.accepted
        summary.facesRejected = tally.received - tally.accepted
        summary.rejects = tally.rejects.sorted { $0.key.rawValue < $1.key.rawValue }.map { RejectCountMessage(reason: $0.key, count: $0.value) }
        let recommended = runtime.config.gallery.recommendedFacesPerIdentity
        summary.recommendedFaceCount = recommended
        var advice: [String] = []
        if record.faceCount < recommended {
            advice.append(
                "\(record.displayName) has \(record.faceCount) accepted face(s); enroll at least \(recommended) good images "
                    + "(frontal, sharp, well lit) for reliable open-set answers")
        }
        if tally.duplicates > 0 { advice.append("\(tally.duplicates) duplicate image(s) skipped") }
        if tally.crossMatches > 0 { advice.append("\(tally.crossMatches) image(s) matched another identity and were not enrolled") }
        if tally.errors > 0 { advice.append("\(tally.errors) image(s) could not be processed") }
        summary.advice = advice.joined(separator: "; ")
        return summary
    }

    /// Euclidean distance.
    static func distance(_ a: [Float], _ b: [Float]) -> Float {
        var sum: Float = 0
        for i in 0..<min(a.count, b.count) {
            let d = a[i] - b[i]
            sum += d * d
        }
        return sum.squareRoot()
    }
}

/// A value behind a lock that closures can share (a `Mutex` cannot be captured).
final class LockedValue<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) {
        mutex = Mutex(value)
    }

    func withLock<R: Sendable>(_ body: (inout Value) -> R) -> R {
        mutex.withLock { body(&$0) }
    }
}
