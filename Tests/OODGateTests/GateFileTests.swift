import Foundation
import Testing
@testable import OODGate

@Suite("GateFile")
struct GateFileTests {
    static func trainedGate(modelID: String = "model-a") throws -> Gate {
        var g = SeededGenerator(seed: 5)
        let d = 4
        let width = d + QualityCues.featureCount
        let net = MLP(inputs: width, hidden: [3], generator: &g)
        let normaliser = FeatureNormaliser(mean: (0..<width).map { Float($0) }, inverseStd: (0..<width).map { 1 / Float($0 + 1) })
        var limits = CueThresholds()
        limits.minSharpness = 33
        return Gate(limits: limits, scorer: try GateScorer(modelID: modelID, embeddingDimensions: d, normaliser: normaliser,
                                                           network: net, threshold: 0.37))
    }

    @Test("a trained gate round trips exactly")
    func roundTrip() throws {
        let gate = try Self.trainedGate()
        let bytes = GateFile.encode(gate)
        #expect(Array(bytes.prefix(4)) == Array("FGGT".utf8))
        #expect(try GateFile.decode(bytes, file: "g", expectedModelID: "model-a") == gate)
        let flagged = try GateFile.decode(bytes, file: "g", policy: .flag)
        #expect(flagged.policy == .flag)
    }

    @Test("a cue-only gate round trips")
    func cueOnly() throws {
        let bytes = GateFile.encode(.default, modelID: "whatever")
        let gate = try GateFile.decode(bytes, file: "g", expectedModelID: "other")  // no scorer: any model
        #expect(gate == .default)
    }

    @Test("a gate trained for another model id is refused")
    func modelMismatch() throws {
        let bytes = GateFile.encode(try Self.trainedGate(modelID: "dlib-resnet"))
        let error = #expect(throws: GateError.self) {
            try GateFile.decode(bytes, file: "gate.bin", expectedModelID: "mobilefacenet")
        }
        #expect(error?.code == .modelMismatch)
        #expect(error?.message.contains("gate.bin") == true)
    }

    @Test("every truncation is an error naming the file and an offset, never a crash")
    func truncations() throws {
        let bytes = GateFile.encode(try Self.trainedGate())
        for length in 0..<bytes.count {
            let error = #expect(throws: GateError.self) {
                try GateFile.decode(Array(bytes.prefix(length)), file: "cut.fggt")
            }
            #expect(error?.message.contains("cut.fggt") == true)
            #expect(error?.code == .malformedFile || error?.code == .unsupportedVersion)
        }
    }

    @Test("corruption is caught by the checksum; bad tag and version are named", arguments: [0, 4, 9, 40, 200])
    func corruption(position: Int) throws {
        var bytes = GateFile.encode(try Self.trainedGate())
        bytes[position] ^= 0x5A
        let error = #expect(throws: GateError.self) { try GateFile.decode(bytes, file: "bad.fggt") }
        #expect(error?.message.contains("offset") == true)
    }

    @Test("a hostile file with a valid checksum but absurd sizes is refused")
    func hostileSizes() throws {
        // Rebuild a file by hand: scorer flag set, embedding width 2^31.
        var w = ByteWriter()
        w.tag("FGGT"); w.u32(1); w.u8(1); w.string("m"); w.u32(10); w.f32s(CueThresholds().values)
        w.u32(0x8000_0000)
        w.u64(fnv1a64(w.bytes[...]))
        let error = #expect(throws: GateError.self) { try GateFile.decode(w.bytes, file: "hostile") }
        #expect(error?.code == .malformedFile)
        #expect(error?.message.contains("embedding width") == true)
    }

    @Test("files on disk: write, read, missing file is an io error")
    func disk() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gate-\(UInt32.random(in: 0...UInt32.max)).fggt").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let gate = try Self.trainedGate()
        try GateFile.write(gate, to: path)
        #expect(try GateFile.read(from: path, expectedModelID: "model-a") == gate)
        #expect(throws: GateError.self) { try GateFile.read(from: path + ".missing") }
    }
}
