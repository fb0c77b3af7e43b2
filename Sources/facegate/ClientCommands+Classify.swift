import ArgumentParser
import FaceGateAPI
import FaceGateClient
import Foundation

/// `facegate classify IMAGE...`: one bidirectional Classify stream; prints each image's
/// decision, top candidates with distances, and reasons when rejected.
struct ClassifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Identify faces in images against a running server (one Classify stream)."
    )

    @OptionGroup var options: ServerOptions

    @Argument(help: "Image files (JPEG or PNG), one face each.")
    var images: [String]

    @Option(help: "Candidates to return per face (0: the server's default).")
    var topK: Int = 3

    @Flag(help: "Print one JSON object per image instead of text.")
    var json = false

    func run() async throws {
        guard !images.isEmpty else { throw ValidationError("give at least one image") }
        guard topK >= 0 else { throw ValidationError("--top-k must be >= 0") }
        let requests = try images.enumerated().map { index, path in
            ClassifyRequest(requestID: "\(index)", face: FaceInput(image: .encoded(try readImage(path))), topK: topK)
        }
        let answers = try await withFaceGateClient(options) { client -> [Int: ClassifyResponse] in
            let stream = try client.classify()
            let sender = Task {
                do {
                    for request in requests { try await stream.send(request) }
                    stream.finish()
                } catch {
                    stream.cancel()
                    throw error
                }
            }
            var answers: [Int: ClassifyResponse] = [:]
            var order = 0
            do {
                for try await response in stream.responses {
                    // Answers come in request order or tagged by request_id.
                    var index = Int(response.requestID) ?? order
                    if !images.indices.contains(index) { index = order }
                    order += 1
                    guard images.indices.contains(index) else {
                        throw ClientCommandError("server sent more answers than images")
                    }
                    answers[index] = response
                    print(render(images[index], response))
                    fflush(nil)  // nil flushes every stream, stdout included
                }
            } catch {
                sender.cancel()
                throw error
            }
            try await sender.value
            return answers
        }
        if answers.count < images.count {
            throw ClientCommandError("server answered \(answers.count) of \(images.count) images")
        }
    }

    private func render(_ path: String, _ response: ClassifyResponse) -> String {
        json ? renderJSON(path, response) : renderText(path, response)
    }

    private func renderText(_ path: String, _ response: ClassifyResponse) -> String {
        var lines: [String] = []
        var head = "\(path): \(response.decision.name)"
        if response.decision == .match, let best = response.candidates.first {
            head += " \(best.displayName.isEmpty ? best.identityID : best.displayName) (\(best.identityID)) "
                + "distance \(fixed(Double(best.distance), 3))"
        }
        if response.threshold > 0 { head += " [threshold \(fixed(Double(response.threshold), 3))]" }
        lines.append(head)
        if let error = response.error { lines.append("  error \(error.code): \(error.message)") }
        if let ood = response.ood, !ood.reasons.isEmpty || response.decision == .rejected {
            lines.append("  reasons: \(ood.reasons.map(\.name).joined(separator: ", ")) "
                         + "(ood score \(fixed(Double(ood.oodScore), 3)), threshold \(fixed(Double(ood.threshold), 3)))")
        }
        for (rank, candidate) in response.candidates.enumerated() {
            lines.append("  \(rank + 1). \(candidate.displayName) (\(candidate.identityID)) distance "
                         + "\(fixed(Double(candidate.distance), 3)) score \(fixed(Double(candidate.score), 3))")
        }
        return lines.joined(separator: "\n")
    }

    private func renderJSON(_ path: String, _ response: ClassifyResponse) -> String {
        let candidates = response.candidates.map {
            "{\"identity_id\":\(jsonString($0.identityID)),\"display_name\":\(jsonString($0.displayName)),"
                + "\"distance\":\($0.distance),\"score\":\($0.score),\"face_id\":\(jsonString($0.faceID))}"
        }
        var fields = [
            "\"file\":\(jsonString(path))",
            "\"decision\":\"\(response.decision.name)\"",
            "\"threshold\":\(response.threshold)",
            "\"candidates\":[\(candidates.joined(separator: ","))]",
        ]
        if let ood = response.ood {
            fields.append("\"ood\":{\"accepted\":\(ood.accepted),\"score\":\(ood.oodScore),\"threshold\":\(ood.threshold),"
                          + "\"reasons\":[\(ood.reasons.map { "\"\($0.name)\"" }.joined(separator: ","))]}")
        }
        if let error = response.error {
            fields.append("\"error\":{\"code\":\(error.code),\"message\":\(jsonString(error.message))}")
        }
        if let timing = response.timing { fields.append("\"total_us\":\(timing.totalUs)") }
        return "{" + fields.joined(separator: ",") + "}"
    }
}
