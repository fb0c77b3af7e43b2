import Testing
@testable import OODGate

@Suite("MLP")
struct MLPTests {
    @Test("forward pass matches a hand computation")
    func forward() {
        let net = MLP(layers: [
            MLP.Layer(inputs: 2, outputs: 2, weights: [1, -1, 0.5, 2], bias: [0, -1]),
            MLP.Layer(inputs: 2, outputs: 1, weights: [2, -3], bias: [0.5]),
        ])
        // x = (1, 2): hidden = relu(1-2, 0.5+4-1) = (0, 3.5); out = 0.5 + 0 - 10.5 = -10.
        // x = (3, 0): hidden = relu(3, 1.5-1) = (3, 0.5); out = 0.5 + 6 - 1.5 = 5.
        let z = net.logits([1, 2, 3, 0], count: 2)
        #expect(z == [-10, 5])
        #expect(net.logits([], count: 0).isEmpty)
    }

    @Test("analytic gradients agree with finite differences")
    func gradientCheck() {
        var g = SeededGenerator(seed: 9)
        let net = MLP(inputs: 3, hidden: [4], generator: &g)
        let rows: [Float] = (0..<12).map { _ in g.nextGaussian() }
        let labels = [true, false, true, false]
        let grads = net.gradients(rows: rows, labels: labels, indices: [0, 1, 2, 3], dimensions: 3, positiveWeight: 2)
        let eps: Float = 1e-3
        for (li, layer) in net.layers.enumerated() {
            for wi in stride(from: 0, to: layer.weights.count, by: 3) {
                var plus = net, minus = net
                plus.layers[li].weights[wi] += eps
                minus.layers[li].weights[wi] -= eps
                let numeric = (plus.loss(rows: rows, labels: labels, positiveWeight: 2)
                    - minus.loss(rows: rows, labels: labels, positiveWeight: 2)) / (2 * eps)
                #expect(abs(numeric - grads[li].weights[wi]) < 5e-3, "layer \(li) weight \(wi)")
            }
        }
    }

    @Test("training separates a nonlinear (XOR-like) problem, reproducibly from the seed")
    func trainsXor() throws {
        var g = SeededGenerator(seed: 11)
        var rows: [Float] = []
        var labels: [Bool] = []
        for _ in 0..<400 {
            let a = g.nextUnit() * 2 - 1, b = g.nextUnit() * 2 - 1
            rows += [a, b]
            labels.append((a > 0) != (b > 0))
        }
        var config = MLPTrainingConfig()
        config.hidden = [16]
        config.learningRate = 1e-2
        config.maxEpochs = 80
        let (net, summary) = try MLP.train(rows: rows, labels: labels, validationRows: rows, validationLabels: labels,
                                           dimensions: 2, config: config)
        let predictions = net.logits(rows, count: labels.count).map { $0 >= 0 }
        let accuracy = Float(zip(predictions, labels).filter { $0 == $1 }.count) / Float(labels.count)
        #expect(accuracy > 0.9)
        #expect(summary.bestEpoch >= 1 && summary.bestEpoch <= summary.epochs)
        let (again, _) = try MLP.train(rows: rows, labels: labels, validationRows: rows, validationLabels: labels,
                                       dimensions: 2, config: config)
        #expect(again == net)
    }

    @Test("class weighting: a rare positive class is still found")
    func classWeighting() throws {
        var g = SeededGenerator(seed: 12)
        var rows: [Float] = []
        var labels: [Bool] = []
        for i in 0..<300 {
            let positive = i % 20 == 0
            rows.append((positive ? 2 : 0) + 0.5 * g.nextGaussian())
            labels.append(positive)
        }
        let (net, summary) = try MLP.train(rows: rows, labels: labels, validationRows: rows, validationLabels: labels,
                                           dimensions: 1)
        #expect(summary.positiveWeight == 19)
        let z = net.logits(rows, count: labels.count)
        let found = zip(z, labels).filter { $0.1 && $0.0 >= 0 }.count
        #expect(found >= 12)  // of 15
    }

    @Test("training without both classes throws insufficientData")
    func oneClass() {
        #expect(throws: GateError(.insufficientData, "training needs both OOD and in-distribution rows (0 of 2 are OOD)")) {
            try MLP.train(rows: [0, 1], labels: [false, false], validationRows: [0], validationLabels: [false], dimensions: 1)
        }
    }
}
