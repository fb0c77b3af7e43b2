import Foundation
import Testing

@testable import Embedding

@Suite("ONNX loader errors and hostile files")
struct ONNXErrorTests {
    @Test("an unsupported operator fails at load, naming the file, node and op type")
    func unsupportedOperator() throws {
        let path = try ONNXFixtures.directory.get().appendingPathComponent("bad_op.onnx").path
        do {
            _ = try ONNXImporter.load(contentsOf: path)
            Issue.record("LRN must be rejected")
        } catch let e as EngineError {
            #expect(e.code == .unsupportedOperator)
            #expect(e.message.contains(path))
            #expect(e.message.contains("(LRN)"))
            #expect(e.message.contains("'lrn_"))
        }
    }

    @Test("a channels-last Transpose that is not flattened next fails at load, naming the node")
    func transposeNotFlattened() throws {
        let path = try ONNXFixtures.directory.get().appendingPathComponent("bad_transpose.onnx").path
        do {
            _ = try ONNXImporter.load(contentsOf: path)
            Issue.record("Relu of an NHWC transpose must be rejected")
        } catch let e as EngineError {
            #expect(e.code == .unsupportedOperator)
            #expect(e.message.contains(path))
            #expect(e.message.contains("(Relu)"))
            #expect(e.message.contains("Transpose to channels-last"))
        }
    }

    @Test("missing, empty and non-protobuf files give clear errors")
    func unreadable() throws {
        #expect(throws: EngineError(.fileUnreadable, "/nonexistent/model.onnx: cannot open (No such file or directory)")) {
            try ONNXImporter.load(contentsOf: "/nonexistent/model.onnx")
        }
        #expect(throws: EngineError(.malformedModel, "x.onnx: empty file")) { try ONNXImporter.load(bytes: [], name: "x.onnx") }
        do {
            _ = try ONNXImporter.load(bytes: Array("this is not a model".utf8), name: "text.onnx")
            Issue.record("text must be rejected")
        } catch let e as EngineError {
            #expect(e.code == .malformedModel)
            #expect(e.message.hasPrefix("text.onnx"))
        }
    }

    @Test("every truncation of a model fails cleanly")
    func truncated() throws {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: try ONNXFixtures.path("ops"))))
        var cut = 0
        var failures = 0
        while cut < bytes.count {
            do {
                _ = try ONNXImporter.load(bytes: Array(bytes[0..<cut]), name: "cut.onnx")
            } catch let e as EngineError {
                #expect(e.message.hasPrefix("cut.onnx"))
                failures += 1
            }
            cut += max(1, bytes.count / 211)
        }
        #expect(failures > 150)
    }

    @Test("mutated model bytes never crash the loader or the engine (fuzz, fixed seed)")
    func mutated() throws {
        let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: try ONNXFixtures.path("ops"))))
        var rng = TestRandom(seed: 99)
        var loaded = 0, rejected = 0
        for _ in 0..<400 {
            var bytes = original
            // Flip a few bytes, biased towards the structural head of the file (shapes, attributes).
            for _ in 0..<rng.int(1...6) {
                let span = rng.int(0...1) == 0 ? min(bytes.count, 4096) : bytes.count
                let i = rng.int(0...(span - 1))
                bytes[i] = UInt8(truncatingIfNeeded: rng.next())
            }
            do {
                let graph = try ONNXImporter.load(bytes: bytes, name: "fuzz.onnx")
                loaded += 1
                // Run what loads, when it is small enough for a test.
                guard graph.values.allSatisfy({ $0.shape.count < 1 << 20 }) else { continue }
                let embedder = try Embedder(graph: graph)
                let out = try embedder.embed(Tensor(zeros: 1, shape: embedder.inputShape), l2Normalize: false)
                #expect(out.batch == 1)
            } catch let e as EngineError {
                #expect(e.message.hasPrefix("fuzz.onnx"))
                rejected += 1
            }
        }
        #expect(loaded + rejected == 400)
        #expect(rejected > 0)
    }

    @Test("a batch-1 export with Reshape to [1, D] runs any batch; the wrong input shape is rejected")
    func batchAndInputChecks() throws {
        let embedder = try Embedder(onnxFile: try ONNXFixtures.path("mobilefacenet_prelu"))
        #expect(embedder.normalization == .unspecified)
        #expect(embedder.inputLayout == "NCHW")
        let y = try embedder.embed(Tensor(zeros: 5, shape: embedder.inputShape))
        #expect(y.batch == 5 && y.shape == .vector(128))
        #expect(throws: EngineError.self) {
            try embedder.embed(Tensor(zeros: 1, shape: TensorShape(channels: 3, height: 100, width: 100)))
        }
    }
}
