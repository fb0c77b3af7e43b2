import Testing

@testable import Embedding

@Suite("Embedder API")
struct EmbedderTests {
    static func smallGraph() throws -> Graph {
        var rng = TestRandom(seed: 31)
        var b = GraphBuilder(input: TensorShape(channels: 3, height: 20, width: 18))
        let third: Float = 1 / 128
        var x = try b.normalize(b.input, mean: [127, 127, 127], scale: [third, third, third])
        x = try b.convolution(x, outChannels: 16, kernel: 3, stride: 2, padding: .uniform(1),
                              weights: rng.floats(16 * 27, scale: 0.3), bias: rng.floats(16), activation: .relu)
        x = try b.convolution(x, outChannels: 16, kernel: 3, padding: .uniform(1), groups: 16,
                              weights: rng.floats(16 * 9), bias: rng.floats(16), activation: .clip(min: 0, max: 6))
        x = try b.globalAveragePool(x)
        x = try b.fullyConnected(try b.flatten(x), outFeatures: 32, weights: rng.floats(32 * 16), bias: nil)
        return try b.build(output: x)
    }

    @Test("reports input shape, layout, normalisation and embedding length")
    func description() throws {
        let e = try Embedder(graph: try Self.smallGraph())
        #expect(e.inputShape == TensorShape(channels: 3, height: 20, width: 18))
        #expect(e.inputLayout == "NCHW")
        #expect(e.embeddingLength == 32)
        let third: Float = 1 / 128
        let expected = InputNormalization.inGraph(mean: [127, 127, 127], scale: [third, third, third])
        #expect(e.normalization == expected)
    }

    @Test("L2-normalised on request; batches split over threads give the same rows as one by one")
    func normalisationAndBatchSplit() throws {
        let graph = try Self.smallGraph()
        let one = try Embedder(graph: graph, config: .init(threads: 1))
        let two = try Embedder(graph: graph, config: .init(threads: 2, microBatch: 3))
        var rng = TestRandom(seed: 2)
        let x = try Tensor(batch: 7, shape: graph.inputShape, data: rng.floats(7 * graph.inputShape.count, scale: 255))
        let batched = try two.embed(x)
        for i in 0..<7 {
            let single = try one.embed(Tensor(batch: 1, shape: graph.inputShape, data: Array(x.sample(i))))
            let norm = single.data.reduce(0) { $0 + $1 * $1 }.squareRoot()
            #expect(abs(norm - 1) < 1e-5)
            let diff = zip(single.data, batched.sample(i)).map { abs($0 - $1) }.max()!
            #expect(diff < 1e-5)
        }
    }

    @Test("concurrent callers share one embedder safely")
    func concurrentCalls() async throws {
        let graph = try Self.smallGraph()
        let e = try Embedder(graph: graph, config: .init(threads: 2))
        var rng = TestRandom(seed: 5)
        let inputs = try (0..<8).map { i in
            try Tensor(batch: 1 + i % 3, shape: graph.inputShape, data: rng.floats((1 + i % 3) * graph.inputShape.count, scale: 255))
        }
        let expected = try inputs.map { try e.embed($0) }
        try await withThrowingTaskGroup(of: (Int, Tensor).self) { group in
            for round in 0..<4 {
                for (i, x) in inputs.enumerated() {
                    group.addTask { (i, try e.embed(x)) }
                }
                _ = round
            }
            for try await (i, y) in group {
                #expect(y == expected[i])
            }
        }
    }

    @Test("caller-owned buffers of the wrong size are rejected")
    func bufferChecks() throws {
        let e = try Embedder(graph: try Self.smallGraph())
        let input = [Float](repeating: 0, count: e.inputShape.count * 2)
        var output = [Float](repeating: 0, count: e.embeddingLength)
        #expect(throws: EngineError.self) {
            try input.withUnsafeBufferPointer { src in
                try output.withUnsafeMutableBufferPointer { try e.embed(src, batch: 2, into: $0) }
            }
        }
    }
}
