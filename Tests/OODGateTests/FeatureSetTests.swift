import Testing
@testable import OODGate

@Suite("FeatureSet")
struct FeatureSetTests {
    static func sample() throws -> FeatureSet {
        try FeatureSet(modelID: "m", dimensions: 3, records: [
            .init(identity: "Ada", source: "Ada/1.jpg", variant: nil, embedding: [1, 0, 0], cues: Fixtures.goodCues),
            .init(identity: "Ada", source: "Ada/1.jpg", variant: .blur, embedding: [0.6, 0.8, 0], cues: Fixtures.goodCues),
            .init(identity: "Bob é", source: "Bob é/2.jpg", variant: nil, embedding: [0, 0, 1], cues: Fixtures.goodCues),
        ])
    }

    @Test("round trip")
    func roundTrip() throws {
        let set = try Self.sample()
        #expect(try FeatureSet.decode(set.encode(), file: "f") == set)
    }

    @Test("truncation and corruption are errors naming file and offset")
    func damaged() throws {
        let bytes = try Self.sample().encode()
        for length in stride(from: 0, to: bytes.count, by: 7) {
            let error = #expect(throws: GateError.self) { try FeatureSet.decode(Array(bytes.prefix(length)), file: "feat.bin") }
            #expect(error?.message.contains("feat.bin") == true)
        }
        var flipped = bytes
        flipped[30] ^= 1
        #expect(throws: GateError.self) { try FeatureSet.decode(flipped, file: "feat.bin") }
    }

    @Test("a file with 9 cues per record (no embedding norm) reads with norm 0")
    func nineCues() throws {
        var w = ByteWriter()
        w.tag("FGFS"); w.u32(1); w.string("m"); w.u32(2); w.u32(9); w.u32(1)
        w.string("a"); w.string("a/1.jpg"); w.u8(0); w.f32s([0.6, 0.8]); w.f32s(Array(Fixtures.goodCues.values.prefix(9)))
        w.u64(fnv1a64(w.bytes[...]))
        let set = try FeatureSet.decode(w.bytes, file: "old")
        #expect(set.records[0].cues.embeddingNorm == 0)
        #expect(set.records[0].cues.sharpness == Fixtures.goodCues.sharpness)
    }

    @Test("records of the wrong width are refused")
    func width() {
        #expect(throws: GateError.self) {
            try FeatureSet(modelID: "m", dimensions: 2, records: [
                .init(identity: "a", source: "a", variant: nil, embedding: [1], cues: Fixtures.goodCues),
            ])
        }
    }
}
