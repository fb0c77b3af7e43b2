import Testing

@testable import Embedding

/// Deterministic test data.
struct TestRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [-1, 1).
    mutating func float() -> Float { Float(next() >> 40) / Float(1 << 23) - 1 }
    mutating func floats(_ n: Int, scale: Float = 1) -> [Float] { (0..<n).map { _ in float() * scale } }
    mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
}

/// Runs `graph` with the fast engine and the naive reference and returns the max difference
/// relative to the reference's largest magnitude.
func fastVersusReference(_ graph: Graph, batch: Int, seed: UInt64, backend: GEMMBackend = .packed, threads: Int = 1,
                         isa: InstructionSet? = nil) throws -> Float {
    var rng = TestRandom(seed: seed)
    let input = try Tensor(batch: batch, shape: graph.inputShape, data: rng.floats(batch * graph.inputShape.count))
    let expected = try ReferenceExecutor(graph: graph).run(input)
    let embedder = try Embedder(graph: graph, config: .init(threads: threads, gemm: backend, instructionSet: isa))
    let got = try embedder.embed(input, l2Normalize: false)
    let scale = max(expected.data.map { abs($0) }.max() ?? 0, 1e-6)
    return zip(got.data, expected.data).map { abs($0 - $1) }.max()! / scale
}

@Suite("Fast kernels against the naive reference")
struct KernelTests {
    struct ConvCase: CustomTestStringConvertible, Sendable {
        var cin: Int, cout: Int, h: Int, w: Int, k: Int, stride: Int, pad: Padding, groups: Int
        var activation: Activation = .none
        var testDescription: String { "\(cin)->\(cout) \(h)x\(w) k\(k)/\(stride) pad \(pad.top),\(pad.left),\(pad.bottom),\(pad.right) g\(groups)" }
    }

    static let convCases: [ConvCase] = [
        ConvCase(cin: 3, cout: 32, h: 17, w: 15, k: 3, stride: 2, pad: .uniform(1), groups: 1, activation: .clip(min: 0, max: 6)),
        ConvCase(cin: 3, cout: 13, h: 23, w: 19, k: 7, stride: 2, pad: .zero, groups: 1, activation: .relu),  // dlib stem
        ConvCase(cin: 16, cout: 48, h: 9, w: 11, k: 1, stride: 1, pad: .zero, groups: 1),                  // pointwise
        ConvCase(cin: 19, cout: 37, h: 5, w: 7, k: 1, stride: 1, pad: .zero, groups: 1, activation: .relu),
        ConvCase(cin: 24, cout: 40, h: 8, w: 8, k: 1, stride: 2, pad: .zero, groups: 1),                   // strided 1x1
        ConvCase(cin: 24, cout: 24, h: 13, w: 10, k: 3, stride: 1, pad: .uniform(1), groups: 24),          // depthwise
        ConvCase(cin: 21, cout: 21, h: 12, w: 9, k: 3, stride: 2, pad: Padding(top: 0, left: 1, bottom: 1, right: 0), groups: 21),
        ConvCase(cin: 40, cout: 40, h: 9, w: 23, k: 3, stride: 2, pad: .uniform(1), groups: 40),           // wide rows
        ConvCase(cin: 17, cout: 17, h: 6, w: 19, k: 3, stride: 1, pad: .zero, groups: 17, activation: .relu),
        ConvCase(cin: 40, cout: 40, h: 7, w: 7, k: 7, stride: 1, pad: .zero, groups: 40),                  // global depthwise
        ConvCase(cin: 35, cout: 35, h: 6, w: 5, k: 5, stride: 3, pad: .uniform(2), groups: 35),
        ConvCase(cin: 12, cout: 18, h: 9, w: 9, k: 3, stride: 1, pad: Padding(top: 1, left: 2, bottom: 0, right: 1), groups: 3),
        ConvCase(cin: 8, cout: 5, h: 4, w: 3, k: 3, stride: 1, pad: .uniform(2), groups: 1),
        // Implicit-GEMM convolutions (groups 1): dlib's blocks, panel tails, framed inputs.
        ConvCase(cin: 32, cout: 32, h: 11, w: 13, k: 3, stride: 1, pad: .uniform(1), groups: 1, activation: .relu),
        ConvCase(cin: 33, cout: 50, h: 9, w: 7, k: 3, stride: 2, pad: .zero, groups: 1),                   // unpadded /2
        ConvCase(cin: 10, cout: 70, h: 8, w: 9, k: 5, stride: 1, pad: Padding(top: 2, left: 1, bottom: 0, right: 3), groups: 1),
        ConvCase(cin: 7, cout: 20, h: 10, w: 10, k: 2, stride: 3, pad: Padding(top: 0, left: 0, bottom: 1, right: 1), groups: 1),
    ]

    static func convGraph(_ c: ConvCase, seed: UInt64, prelu: Bool = false, residual: Bool = false) throws -> Graph {
        var rng = TestRandom(seed: seed)
        var b = GraphBuilder(input: TensorShape(channels: c.cin, height: c.h, width: c.w))
        var y = try b.convolution(b.input, outChannels: c.cout, kernelHeight: c.k, kernelWidth: c.k, strideY: c.stride,
                                  strideX: c.stride, padding: c.pad, groups: c.groups,
                                  weights: rng.floats(c.cout * c.cin / c.groups * c.k * c.k, scale: 0.5),
                                  bias: rng.floats(c.cout, scale: 0.2))
        y = try b.affine(y, scale: rng.floats(c.cout).map { $0 + 1.5 }, bias: rng.floats(c.cout, scale: 0.1))
        if residual {
            let shape = b.shape(of: y)
            let other = try b.convolution(b.input, outChannels: shape.channels, kernelHeight: c.k, kernelWidth: c.k,
                                          strideY: c.stride, strideX: c.stride, padding: c.pad, groups: 1,
                                          weights: rng.floats(c.cout * c.cin * c.k * c.k, scale: 0.3), bias: nil)
            y = try b.add(y, other)
        }
        y = try b.activation(y, prelu ? .prelu(slopes: rng.floats(c.cout, scale: 0.3)) : c.activation)
        return try b.build(output: y)
    }

    @Test("convolutions (odd sizes, strides, asymmetric pads, groups) match", arguments: convCases, GEMMBackend.allCases)
    func convolution(_ c: ConvCase, backend: GEMMBackend) throws {
        for batch in [1, 3] {
            let g = try Self.convGraph(c, seed: 11)
            let difference: Float = try fastVersusReference(g, batch: batch, seed: 5, backend: backend, threads: 2)
            #expect(difference < 1e-4)
        }
    }

    @Test("PReLU and residual epilogues match", arguments: convCases)
    func epilogues(_ c: ConvCase) throws {
        let g = try Self.convGraph(c, seed: 12, prelu: true, residual: true)
        let difference: Float = try fastVersusReference(g, batch: 2, seed: 6)
        #expect(difference < 1e-4)
    }

    @Test("every instruction-set level matches (scalar = the path for CPUs without AVX2)",
          arguments: InstructionSet.allCases.filter { $0 <= .best })
    func instructionSets(_ isa: InstructionSet) throws {
        for (i, c) in Self.convCases.enumerated() {
            let g = try Self.convGraph(c, seed: UInt64(20 + i), prelu: i % 2 == 0, residual: i % 3 == 0)
            let difference: Float = try fastVersusReference(g, batch: 2, seed: 7, isa: isa)
            #expect(difference < 1e-4, "\(c.testDescription)")
        }
    }

    @Test("pooling, dlib padded add, concat, squeeze-excite, flatten and fully connected match")
    func otherOperators() throws {
        var rng = TestRandom(seed: 3)
        var b = GraphBuilder(input: TensorShape(channels: 5, height: 15, width: 13))
        let x = try b.normalize(b.input, mean: [0.1, 0.2, 0.3, 0.4, 0.5], scale: [2, 1.5, 1, 0.5, 3])
        let c1 = try b.convolution(x, outChannels: 8, kernel: 3, stride: 1, padding: .uniform(1),
                                   weights: rng.floats(8 * 5 * 9), bias: rng.floats(8), activation: .relu)
        let mp = try b.maxPool(c1, Pooling(kernelHeight: 3, kernelWidth: 3, strideY: 2, strideX: 2, padding: .uniform(1)))
        let ap = try b.averagePool(c1, Pooling(kernelHeight: 2, kernelWidth: 2, strideY: 2, strideX: 2, ceilMode: true))
        let apPad = try b.averagePool(c1, Pooling(kernelHeight: 3, kernelWidth: 3, strideY: 2, strideX: 2,
                                                  padding: .uniform(1), countIncludesPadding: true))
        // dlib add_prev: 12 channels 7x7 + 8 channels 8x7 -> 12x8x7, zero filled.
        let wide = try b.convolution(mp, outChannels: 12, kernel: 2, stride: 1, weights: rng.floats(12 * 8 * 4), bias: nil)
        let padded = try b.paddedAdd(wide, ap)
        let cat = try b.concat([ap, apPad])
        let se = try b.activation(try b.globalAveragePool(cat), .sigmoid)
        let scaled = try b.multiply(cat, se)
        let sum = try b.add(scaled, cat)
        let f1 = try b.flatten(sum)
        let f2 = try b.flatten(padded)
        let fc1 = try b.fullyConnected(f1, outFeatures: 6, weights: rng.floats(6 * b.shape(of: f1).count), bias: rng.floats(6))
        let fc2 = try b.fullyConnected(f2, outFeatures: 6, weights: rng.floats(6 * b.shape(of: f2).count), bias: nil,
                                       activation: .prelu(slopes: rng.floats(6)))
        let out = try b.l2Normalize(try b.add(fc1, fc2))
        let g = try b.build(output: out)
        #expect(b.shape(of: padded) == TensorShape(channels: 12, height: 8, width: 7))
        for backend in GEMMBackend.allCases {
            let difference: Float = try fastVersusReference(g, batch: 3, seed: 8, backend: backend, threads: 2)
            #expect(difference < 1e-4)
        }
    }

    @Test("a fully connected layer directly on a feature map uses CHW order")
    func fullyConnectedOnMap() throws {
        var rng = TestRandom(seed: 4)
        var b = GraphBuilder(input: TensorShape(channels: 3, height: 4, width: 5))
        let y = try b.fullyConnected(b.input, outFeatures: 7, weights: rng.floats(7 * 60), bias: rng.floats(7))
        let difference: Float = try fastVersusReference(try b.build(output: y), batch: 2, seed: 9)
        #expect(difference < 1e-5)
    }

    @Test("the builder rejects inconsistent weights and absurd shapes with the node name")
    func builderChecks() throws {
        var b = GraphBuilder(input: TensorShape(channels: 3, height: 8, width: 8))
        #expect(throws: EngineError.self) {
            try b.convolution(b.input, outChannels: 4, kernel: 3, weights: [Float](repeating: 0, count: 10), bias: nil, name: "bad")
        }
        do {
            _ = try b.convolution(b.input, outChannels: 4, kernel: 9, weights: [Float](repeating: 0, count: 4 * 3 * 81), bias: nil, name: "big")
            Issue.record("a kernel larger than the input must be rejected")
        } catch let e as EngineError {
            #expect(e.code == .invalidShape)
            #expect(e.message.contains("'big'"))
        }
        #expect(throws: EngineError.self) { try b.add(b.input, try b.globalAveragePool(try b.flatten(b.input))) }
    }
}
