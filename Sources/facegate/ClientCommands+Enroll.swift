import ArgumentParser
import FaceGateAPI
import FaceGateClient
import Foundation
import GRPCProtocol

/// `facegate enroll DIR`: enrolls every `DIR/identity/*.jpg|png` folder (or, with `--name`, the
/// images directly in DIR) over Enroll streams, several identities at a time.
struct EnrollCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enroll",
        abstract: "Enroll a folder of identities (DIR/identity/*.jpg|png) against a running server."
    )

    @OptionGroup var options: ServerOptions

    @Argument(help: "Folder of identity folders, or of images with --name.")
    var directory: String

    @Option(help: "Enroll the images directly in DIR as one identity with this display name.")
    var name: String?

    @Option(help: "Add the faces to this existing identity id (with --name or a single folder).")
    var identityID: String?

    @Option(help: "Identities enrolled concurrently (one Enroll stream each).")
    var jobs: Int = 4

    @Flag(help: "Accept faces that already match another identity (reported either way).")
    var allowCrossIdentityMatch = false

    @Flag(help: "Print one line per image verdict.")
    var verbose = false

    func run() async throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be >= 1") }
        let plan = try enrollmentPlan()
        guard !plan.isEmpty else { throw ClientCommandError("no images found under \(directory)") }
        let progress = EnrollProgress(total: plan.reduce(0) { $0 + $1.files.count }, verbose: verbose)
        let outcomes = try await withFaceGateClient(options) { client in
            try await withThrowingTaskGroup(of: IdentityOutcome.self) { group in
                var pending = plan[...]
                var results: [IdentityOutcome] = []
                func launch() {
                    guard let job = pending.popFirst() else { return }
                    group.addTask { await enroll(job, client: client, progress: progress) }
                }
                for _ in 0..<min(jobs, plan.count) { launch() }
                while let outcome = try await group.next() {
                    results.append(outcome)
                    launch()
                }
                return results
            }
        }
        await progress.done()
        printSummary(outcomes.sorted { $0.name < $1.name })
        if outcomes.contains(where: { $0.failure != nil }) { throw ExitCode(1) }
    }

    /// One identity to enroll: its display name, optional existing id, and image files.
    struct Job: Sendable {
        var name: String
        var identityID: String?
        var files: [String]
    }

    private func enrollmentPlan() throws -> [Job] {
        if let name {
            return [Job(name: name, identityID: identityID, files: try imageFiles(in: directory))]
        }
        var jobs: [Job] = []
        for entry in try FileManager.default.contentsOfDirectory(atPath: directory).sorted() {
            let path = (directory as NSString).appendingPathComponent(entry)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
            let files = try imageFiles(in: path)
            if !files.isEmpty { jobs.append(Job(name: entry, identityID: nil, files: files)) }
        }
        if let identityID {
            guard jobs.count == 1 else { throw ValidationError("--identity-id needs --name or a single identity folder") }
            jobs[0].identityID = identityID
        }
        return jobs
    }

    /// What happened to one identity.
    struct IdentityOutcome: Sendable {
        var name: String
        var identityID = ""
        var created = false
        var sent = 0
        var summary: EnrollSummaryMessage?
        var accepted = 0
        var rejected = 0
        var rejectsByReason: [String: Int] = [:]
        var errors = 0
        var duplicates = 0
        var crossMatches = 0
        var failure: String?
    }

    private func enroll(_ job: Job, client: FaceGateClient, progress: EnrollProgress) async -> IdentityOutcome {
        var outcome = IdentityOutcome(name: job.name)
        do {
            var identityID = job.identityID ?? ""
            if identityID.isEmpty { identityID = try await existingIdentity(named: job.name, client: client) ?? "" }
            let stream = try client.enroll()
            var start = EnrollStart()
            start.identityID = identityID
            start.displayName = job.name
            start.allowCrossIdentityMatch = allowCrossIdentityMatch
            try await stream.send(.start(start))
            // Send images while verdicts stream back (flow control bounds what is in flight).
            let sender = Task {
                do {
                    for file in job.files {
                        let bytes = try readImage(file)
                        try await stream.send(.face(EnrollFace(requestID: file, face: FaceInput(image: .encoded(bytes)))))
                    }
                    stream.finish()
                } catch {
                    stream.cancel()  // otherwise the server waits for the rest of the stream
                    throw error
                }
            }
            outcome.sent = job.files.count
            do {
                for try await response in stream.responses {
                    switch response {
                    case .started(let identity, let created):
                        outcome.identityID = identity.identityID
                        outcome.created = created
                    case .verdict(let verdict):
                        record(verdict, into: &outcome)
                        await progress.verdict(verdict, identity: job.name)
                    case .summary(let summary):
                        outcome.summary = summary
                    }
                }
            } catch {
                sender.cancel()
                // A local failure (unreadable file) cancelled the stream: report that, not CANCELLED.
                if case .failure(let senderError) = await sender.result, !(senderError is RPCError) { throw senderError }
                throw error
            }
            try await sender.value
        } catch {
            outcome.failure = "\(error)"
            await progress.failed(job.name, error: "\(error)")
        }
        return outcome
    }

    private func record(_ verdict: FaceVerdictMessage, into outcome: inout IdentityOutcome) {
        if !verdict.duplicateOfFaceID.isEmpty { outcome.duplicates += 1 }
        if !verdict.matchesIdentityID.isEmpty { outcome.crossMatches += 1 }
        if verdict.accepted {
            outcome.accepted += 1
            return
        }
        outcome.rejected += 1
        if let error = verdict.error {
            outcome.errors += 1
            outcome.rejectsByReason["ERROR(\(error.code))", default: 0] += 1
        } else if let reasons = verdict.ood?.reasons, !reasons.isEmpty {
            for reason in reasons { outcome.rejectsByReason[reason.name, default: 0] += 1 }
        } else if !verdict.duplicateOfFaceID.isEmpty {
            outcome.rejectsByReason["DUPLICATE", default: 0] += 1
        } else if !verdict.matchesIdentityID.isEmpty {
            outcome.rejectsByReason["MATCHES_OTHER_IDENTITY", default: 0] += 1
        } else {
            outcome.rejectsByReason["UNSPECIFIED", default: 0] += 1
        }
    }

    /// The id of an identity whose display name is exactly `name`, so re-running enroll adds
    /// faces instead of creating a twin; nil when there is none (or listing is not served).
    private func existingIdentity(named name: String, client: FaceGateClient) async throws -> String? {
        var request = ListIdentitiesRequest()
        request.displayNamePrefix = name
        request.pageSize = ListIdentitiesRequest.maxPageSize
        do {
            return try await client.listIdentities(request).identities.first { $0.displayName == name }?.identityID
        } catch let error as RPCError where error.code == .unimplemented {
            return nil
        }
    }

    private func printSummary(_ outcomes: [IdentityOutcome]) {
        var reasons: [String: Int] = [:]
        var sent = 0, accepted = 0, rejected = 0, failed = 0
        var few: [(String, Int, Int)] = []
        for outcome in outcomes {
            sent += outcome.sent
            accepted += outcome.accepted
            rejected += outcome.rejected
            for (reason, count) in outcome.rejectsByReason { reasons[reason, default: 0] += count }
            if outcome.failure != nil { failed += 1 }
            let recommended = outcome.summary?.recommendedFaceCount ?? 3
            let total = outcome.summary?.identity?.faceCount ?? outcome.accepted
            if outcome.failure == nil && total < recommended { few.append((outcome.name, total, recommended)) }
        }
        print("enrolled \(outcomes.count - failed)/\(outcomes.count) identities: \(sent) images sent, "
              + "\(accepted) accepted, \(rejected) rejected")
        if !reasons.isEmpty {
            print("rejects by reason (an image may have several):")
            for (reason, count) in reasons.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) {
                print("  \(reason): \(count)")
            }
        }
        for (name, have, want) in few {
            print("advice: \(name) has \(have) accepted face(s); \(want)+ give reliable open-set answers")
        }
        for outcome in outcomes {
            if let failure = outcome.failure { print("failed: \(outcome.name): \(failure)") }
            if let advice = outcome.summary?.advice, !advice.isEmpty { print("server advice for \(outcome.name): \(advice)") }
        }
    }
}

/// Progress of an enrollment run on stderr: a redrawn bar on a terminal, a line every few
/// seconds otherwise; per-image lines with `--verbose`.
actor EnrollProgress {
    private let total: Int
    private let verbose: Bool
    private let isTerminal = isatty(2) != 0
    private var processed = 0
    private var accepted = 0
    private var lastLine = ContinuousClock.now
    private let started = ContinuousClock.now

    init(total: Int, verbose: Bool) {
        self.total = total
        self.verbose = verbose
    }

    func verdict(_ verdict: FaceVerdictMessage, identity: String) {
        processed += 1
        if verdict.accepted { accepted += 1 }
        if verbose {
            clearBar()
            var line = "\(verdict.accepted ? "accepted" : "rejected") \(identity) \(verdict.requestID)"
            if verdict.accepted { line += " face \(verdict.faceID) quality \(fixed(Double(verdict.quality), 2))" }
            if let reasons = verdict.ood?.reasons, !reasons.isEmpty { line += " reasons \(reasons.map(\.name).joined(separator: ","))" }
            if let error = verdict.error { line += " error \(error.code): \(error.message)" }
            if !verdict.duplicateOfFaceID.isEmpty { line += " duplicate-of \(verdict.duplicateOfFaceID)" }
            if !verdict.matchesIdentityID.isEmpty {
                line += " matches \(verdict.matchesIdentityID) at \(fixed(Double(verdict.matchesDistance), 3))"
            }
            printError(line)
        }
        draw()
    }

    func failed(_ identity: String, error: String) {
        clearBar()
        printError("enroll \(identity) failed: \(error)")
        draw()
    }

    func done() {
        clearBar()
        let seconds = Double((ContinuousClock.now - started).components.seconds)
            + Double((ContinuousClock.now - started).components.attoseconds) / 1e18
        printError("\(processed)/\(total) images processed in \(fixed(seconds, 1)) s")
    }

    private func draw() {
        if isTerminal {
            let width = 30
            let filled = total > 0 ? processed * width / total : width
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            FileHandle.standardError.write(Data("\r[\(bar)] \(processed)/\(total) accepted \(accepted)".utf8))
        } else if ContinuousClock.now - lastLine >= .seconds(2) || processed == total {
            lastLine = ContinuousClock.now
            printError("progress: \(processed)/\(total) images, \(accepted) accepted")
        }
    }

    private func clearBar() {
        if isTerminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
