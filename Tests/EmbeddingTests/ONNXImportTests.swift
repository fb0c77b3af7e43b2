import Foundation
import Testing

@testable import Embedding

@Suite("ONNX import against onnxruntime")
struct ONNXImportTests {
    static let generated = ["ops", "transpose", "transpose_nhwc", "resnet_small", "mobilefacenet_prelu", "mobilefacenet_relu", "mobilenetv2_112", "mobilenetv2_224"]

    @Test("embeddings agree with onnxruntime within 1e-4 (L2-normalised)", arguments: generated, GEMMBackend.allCases)
    func agreesWithOnnxruntime(name: String, backend: GEMMBackend) throws {
        try checkModel(name: name, backend: backend, threads: 2)
    }

    @Test("lower instruction-set levels agree too (AVX2 for Zen 3-class CPUs, scalar fallback)",
          arguments: InstructionSet.allCases.filter { $0 < .best })
    func lowerInstructionSets(_ isa: InstructionSet) throws {
        try checkModel(name: "mobilefacenet_prelu", backend: .packed, threads: 2, isa: isa)
    }

    @Test("the real MobileFaceNet (optional tier: needs /work/shared/models)",
          .enabled(if: ONNXFixtures.realModelPresent, "skipped: \(ONNXFixtures.realModelPath) is absent"))
    func realModel() throws {
        try checkModel(name: "real", backend: .packed, threads: 2)
    }

    func checkModel(name: String, backend: GEMMBackend, threads: Int, isa: InstructionSet? = nil) throws {
        let entry = try #require(try ONNXFixtures.manifest()[name])
        let embedder = try Embedder(onnxFile: try ONNXFixtures.path(name),
                                    config: .init(threads: threads, gemm: backend, instructionSet: isa))
        #expect(embedder.inputShape == TensorShape(channels: entry.input[0], height: entry.input[1], width: entry.input[2]))
        #expect(embedder.embeddingLength == entry.output)
        for b in entry.batches {
            let x = try Tensor(batch: b, shape: embedder.inputShape, data: try ONNXFixtures.floats("\(name).in\(b).f32"))
            let expected = try ONNXFixtures.floats("\(name).out\(b).f32")
            let y = try embedder.embed(x, l2Normalize: false)
            let diff = maxNormalizedDifference(y.data, expected, dim: entry.output)
            #expect(diff <= 1e-4, "\(name) batch \(b) \(backend): max abs difference \(diff)")
        }
    }

    @Test("load-time passes fold BatchNorm and fuse activations and residual adds")
    func fusion() throws {
        let graph = try ONNXImporter.load(contentsOf: try ONNXFixtures.path("mobilenetv2_112"))
        let optimized = GraphOptimizer.optimize(graph)
        let remaining = Set(optimized.nodes.map(\.operation.name))
        #expect(!remaining.contains("Affine"))
        #expect(!remaining.contains("Activation"))
        #expect(!remaining.contains("Add"))
        let convs = optimized.nodes.filter { $0.operation.name == "Conv" }.count
        #expect(convs == 52)
        #expect(graph.multiplyAccumulates == optimized.multiplyAccumulates)
    }
}
