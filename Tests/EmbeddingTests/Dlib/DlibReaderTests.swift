import Foundation
import Testing
@testable import Embedding

@Suite("DlibNetwork reader")
struct DlibReaderTests {
    @Test("primitive encodings from the reference document")
    func primitives() throws {
        var r = DlibStreamReader(bytes: [0x01, 0x02, 0x02, 0x80, 0x12, 0x81, 0x18, 0x01, 0x00], source: "t")
        #expect(try r.readInt() == 2)
        #expect(try r.readInt() == 4736)
        #expect(try r.readInt() == -24)
        #expect(try r.readInt() == 0)
        var f = DlibStreamReader(bytes: [0x03, 0x62, 0x90, 0xF5, 0x81, 0x11], source: "t")
        #expect(abs(try f.readFloat() - 122.782) < 1e-3)
        var s = DlibStreamReader(bytes: [0x01, 0x03] + Array("abc".utf8) + [0x31, 0x30], source: "t")
        #expect(try s.readString() == "abc")
        #expect(try s.readBool() == true)
        #expect(try s.readBool() == false)
    }

    @Test("a synthetic network parses, infers tag IDs and converts to a graph that matches the reference forward")
    func synthetic() throws {
        let network = try DlibNetwork.parse(SyntheticDlib.network(), source: "tiny.dat")
        #expect(network.input.rows == 16)
        let markers = network.layers.compactMap { layer -> String? in
            switch layer {
            case .tag(let id): "tag\(id)"
            case .skip(let id): "skip\(id)"
            case .addPrevious(let id): "add_prev\(id)"
            default: nil
            }
        }
        #expect(markers == ["tag1", "add_prev1", "tag1", "tag2", "skip1", "add_prev2"])
        let graph = try network.graph()
        #expect(graph.outputShape == TensorShape.vector(3))
        var chip = [UInt8](repeating: 0, count: 16 * 16 * 3)
        for i in chip.indices { chip[i] = UInt8((i * 37) % 256) }
        let expected = DlibReferenceForward(network: network).descriptor(chip: chip)
        var planar = [Float](repeating: 0, count: chip.count)
        for p in 0..<256 { for c in 0..<3 { planar[c * 256 + p] = Float(chip[3 * p + c]) } }
        let out = try ReferenceExecutor(graph: graph).run(try Tensor(batch: 1, shape: graph.inputShape, data: planar))
        let worst = zip(out.data, expected).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst < 1e-5, "graph vs reference forward: \(worst)")
    }

    @Test("truncated and mutated network files give a clear error, never a crash")
    func hostile() throws {
        let bytes = SyntheticDlib.network()
        var rng = SplitMix64(seed: 4242)
        var rejected = 0
        for round in 0..<500 {
            var mutated = bytes
            if round % 2 == 0 {
                mutated = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &rng)))
            } else {
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    mutated[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                }
            }
            do {
                let network = try DlibNetwork.parse(mutated, source: "tiny.dat")
                _ = try network.graph()
            } catch let error as EngineError {
                #expect([.malformedModel, .unsupportedOperator, .invalidShape].contains(error.code))
                #expect(error.message.contains("tiny.dat"))
                rejected += 1
            }
        }
        #expect(rejected > 250)
        let error = try #require(#expect(throws: EngineError.self) { try DlibNetwork.parse(Array(bytes.prefix(40)), source: "tiny.dat") })
        #expect(error.message.contains("byte offset"))
    }

    @Test("a missing file is fileUnreadable")
    func missing() {
        let error = #expect(throws: EngineError.self) {
            try DlibNetwork.read(contentsOf: URL(fileURLWithPath: "/nonexistent/model.dat"))
        }
        #expect(error?.code == .fileUnreadable)
    }

    @Test("the real ResNet parses to the documented architecture",
          .enabled(if: DlibModelFiles.network != nil, "SKIPPED: dlib model not found; run scripts/fetch-test-data.sh"))
    func realModel() throws {
        let network = try #require(DlibModelFiles.network)
        #expect(network.parameterCount == 5_614_592)
        #expect(network.loss.distanceThreshold == 0.6)
        #expect(network.input.rows == 150 && network.input.columns == 150)
        #expect(network.input.channelMeans.map { ($0 * 1000).rounded() } == [122_782, 117_001, 104_298])
        let convs = network.layers.filter { if case .convolution = $0 { true } else { false } }
        #expect(convs.count == 29)
        let graph = try network.graph()
        #expect(graph.multiplyAccumulates == 270_854_144)
        #expect(graph.outputShape == TensorShape.vector(128))
    }
}

@Suite("Real model files, damaged",
       .enabled(if: DlibModelFiles.resnet != nil && DlibModelFiles.shapePredictor != nil,
                "SKIPPED: dlib models not found; run scripts/fetch-test-data.sh"))
struct DamagedRealModelTests {
    @Test("truncated ResNet and predictor files name the file and offset", arguments: [0.0003, 0.5, 0.9999])
    func truncated(fraction: Double) throws {
        let resnet = [UInt8](try Data(contentsOf: try #require(DlibModelFiles.resnet)))
        let cut = Array(resnet.prefix(Int(Double(resnet.count) * fraction)))
        let e1 = try #require(#expect(throws: EngineError.self) { try DlibNetwork.parse(cut, source: "resnet.dat") })
        #expect(e1.code == .malformedModel && e1.message.contains("resnet.dat: byte offset"))
        let predictor = [UInt8](try Data(contentsOf: try #require(DlibModelFiles.shapePredictor)))
        let cut2 = Array(predictor.prefix(Int(Double(predictor.count) * fraction)))
        let e2 = try #require(#expect(throws: EngineError.self) { try ShapePredictor.parse(cut2, source: "sp5.dat") })
        #expect(e2.code == .malformedModel && e2.message.contains("sp5.dat: byte offset"))
    }
}
