import Foundation
import Testing
@testable import GalleryIndex

/// SIGKILLs `facegate store-stress` in the middle of a stream of enrolments and checks the store.
@Suite struct CrashSafetyTests {
    /// The `facegate` binary built next to the test bundle (`swift build --build-tests` builds it).
    static func facegateBinary() -> String? {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = dir.appendingPathComponent("facegate").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }

    @Test func killedEnrolmentLosesNothingAcknowledged() throws {
        guard let binary = Self.facegateBinary() else {
            Issue.record("facegate binary not found next to the test bundle: run `swift build --build-tests` first")
            return
        }
        let path = temporaryDirectory() + "/crash.db"
        for round in 0..<3 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["store-stress", "--db", path, "--dimension", "16", "--batch", "3"]
            let out = Pipe()
            process.standardOutput = out
            try process.run()
            var acked: [FaceID: IdentityID] = [:]
            var buffer = Data()
            let target = 150 + 37 * round  // kill at a different point each round
            while acked.count < target {
                let chunk = out.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                buffer.append(chunk)
                while let nl = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: buffer[buffer.startIndex..<nl], as: UTF8.self)
                    buffer.removeSubrange(buffer.startIndex...nl)
                    let parts = line.split(separator: " ")
                    if parts.count == 3, parts[0] == "ack", let i = IdentityID(parts[1]), let f = FaceID(parts[2]) { acked[f] = i }
                }
            }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal, "round \(round): the child exited on its own")
            #expect(acked.count >= target, "round \(round): only \(acked.count) acks before EOF")

            let store = try GalleryStore(config: .init(path: path, modelID: "stress-model", dimension: 16))
            var stored: [FaceID: FaceRecord] = [:]
            try store.forEachFace { (chunk: [FaceRecord]) throws(GalleryError) in for f in chunk { stored[f.id] = f } }
            for (face, identity) in acked {
                #expect(stored[face]?.identity == identity, "round \(round): acknowledged face \(face) lost")
            }
            // Nothing half-written: whole batches only, every embedding well-formed.
            var perIdentity: [IdentityID: Int] = [:]
            for f in stored.values {
                perIdentity[f.identity, default: 0] += 1
                #expect(f.embedding.count == 16 && f.embedding[0] == Float(f.identity))
            }
            #expect(perIdentity.values.allSatisfy { $0 == 3 }, "round \(round): a batch was split")
            #expect(try store.stats().faces == stored.count)
        }
    }
}
