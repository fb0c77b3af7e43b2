import Testing

@testable import Embedding

/// The operations dlib's ResNet needs, built the way the dlib converter will build them (the
/// `GraphBuilder` doc example), checked against the naive reference.
@Suite("dlib-style graphs")
struct DlibStyleGraphTests {
    @Test("stem, pooling, downsampling residual with dlib add_prev, FC without bias")
    func dlibResidualNetwork() throws {
        var rng = TestRandom(seed: 77)
        let third: Float = 1 / 256
        var b = GraphBuilder(input: TensorShape(channels: 3, height: 61, width: 59))
        var x = try b.normalize(b.input, mean: [122.8, 117.0, 104.1], scale: [third, third, third])
        x = try b.convolution(x, outChannels: 16, kernel: 7, stride: 2, weights: rng.floats(16 * 3 * 49, scale: 0.2), bias: rng.floats(16))
        x = try b.affine(x, scale: rng.floats(16).map { $0 + 1.5 }, bias: rng.floats(16, scale: 0.1))
        x = try b.activation(x, .relu)
        x = try b.maxPool(x, Pooling(kernelHeight: 3, kernelWidth: 3, strideY: 2, strideX: 2))
        // Downsampling block: 3x3/2 conv (no padding) + 2x2/2 average-pooled shortcut, 16 -> 24 channels.
        let shortcut = try b.averagePool(x, Pooling(kernelHeight: 2, kernelWidth: 2, strideY: 2, strideX: 2))
        var y = try b.convolution(x, outChannels: 24, kernel: 3, stride: 2, weights: rng.floats(24 * 16 * 9, scale: 0.2), bias: nil)
        y = try b.affine(y, scale: rng.floats(24).map { $0 + 1.5 }, bias: rng.floats(24, scale: 0.1))
        y = try b.activation(y, .relu)
        y = try b.convolution(y, outChannels: 24, kernel: 3, padding: .uniform(1), weights: rng.floats(24 * 24 * 9, scale: 0.2), bias: nil)
        y = try b.paddedAdd(y, shortcut)
        y = try b.activation(y, .relu)
        // An identity block whose add has equal shapes (fusable into the conv epilogue).
        var z = try b.convolution(y, outChannels: 24, kernel: 3, padding: .uniform(1), weights: rng.floats(24 * 24 * 9, scale: 0.2), bias: nil)
        z = try b.affine(z, scale: rng.floats(24).map { $0 + 1.5 }, bias: rng.floats(24, scale: 0.1))
        z = try b.activation(try b.add(z, y), .relu)
        let pooled = try b.globalAveragePool(z)
        let embedding = try b.fullyConnected(try b.flatten(pooled), outFeatures: 12, weights: rng.floats(12 * 24), bias: nil)
        let graph = try b.build(output: embedding)

        #expect(b.shape(of: x) == TensorShape(channels: 16, height: 13, width: 13))
        #expect(b.shape(of: shortcut) == TensorShape(channels: 16, height: 6, width: 6))
        #expect(b.shape(of: y) == TensorShape(channels: 24, height: 6, width: 6))
        let optimized = GraphOptimizer.optimize(graph)
        #expect(!optimized.nodes.contains { $0.operation.name == "Affine" })
        #expect(optimized.nodes.contains { $0.operation.name == "PaddedAdd" })
        for isa in InstructionSet.allCases where isa <= .best {
            let difference: Float = try fastVersusReference(graph, batch: 3, seed: 4, threads: 2, isa: isa)
            #expect(difference < 1e-4, "\(isa)")
        }
    }

    @Test("average pooling over windows clipped at the image edge (dlib) and ceil-mode outputs")
    func clippedAveragePool() throws {
        var b = GraphBuilder(input: TensorShape(channels: 1, height: 3, width: 3))
        let p = try b.averagePool(b.input, Pooling(kernelHeight: 2, kernelWidth: 2, strideY: 2, strideX: 2, ceilMode: true))
        let g = try b.build(output: p)
        #expect(g.outputShape == TensorShape(channels: 1, height: 2, width: 2))
        let x = try Tensor(batch: 1, shape: g.inputShape, data: [1, 2, 3, 4, 5, 6, 7, 8, 9])
        let expected: [Float] = [3, 4.5, 7.5, 9]  // (1+2+4+5)/4, (3+6)/2, (7+8)/2, 9/1
        #expect(try ReferenceExecutor(graph: g).run(x).data == expected)
        let fast = try Embedder(graph: g).embed(x, l2Normalize: false)
        #expect(fast.data == expected)
    }
}
