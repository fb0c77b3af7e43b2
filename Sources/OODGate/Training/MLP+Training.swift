import Foundation

/// How `MLP.train` learns: Adam on class-weighted binary cross-entropy, minibatches, early
/// stopping on the validation loss.
public struct MLPTrainingConfig: Sendable, Equatable {
    /// Hidden layer widths.
    public var hidden: [Int] = [64]
    /// Adam step size.
    public var learningRate: Float = 1e-3
    /// L2 weight decay added to the gradient (not applied to biases).
    public var weightDecay: Float = 1e-4
    /// Rows per minibatch.
    public var batchSize: Int = 64
    /// Upper bound on passes over the training rows.
    public var maxEpochs: Int = 60
    /// Stop after this many epochs without a better validation loss; the best weights are kept.
    public var patience: Int = 8
    /// Seed for initialisation and shuffling.
    public var seed: UInt64 = 6

    /// The documented defaults.
    public init() {}
}

/// What training did, for the report.
public struct MLPTrainingSummary: Sendable, Equatable {
    /// Epochs run (including the patience tail).
    public var epochs: Int
    /// Epoch (1-based) whose weights were kept.
    public var bestEpoch: Int
    /// Class-weighted validation loss of the kept weights.
    public var bestValidationLoss: Float
    /// Weight of an OOD row relative to 1 for an in-distribution row (balances the classes).
    public var positiveWeight: Float
}

extension MLP {
    /// Trains a network on normalised rows.
    ///
    /// - Parameters:
    ///   - rows/labels: training rows (row-major, `dimensions` wide); `true` = OOD.
    ///   - validationRows/validationLabels: rows for early stopping (may be the training rows).
    ///   - weights/validationWeights: per-row loss weights; nil weights the classes so each
    ///     contributes half the loss (an OOD row weighs `positiveWeight`, an in-distribution row 1).
    /// Throws `insufficientData` when either class is missing from the training rows.
    public static func train(
        rows: [Float], labels: [Bool], validationRows: [Float], validationLabels: [Bool],
        dimensions: Int, config: MLPTrainingConfig = MLPTrainingConfig(),
        weights: [Float]? = nil, validationWeights: [Float]? = nil
    ) throws(GateError) -> (MLP, MLPTrainingSummary) {
        let n = labels.count
        let positives = labels.filter { $0 }.count
        guard n > 0, rows.count == n * dimensions, validationRows.count == validationLabels.count * dimensions else {
            throw GateError(.dimensionMismatch, "training rows do not match \(dimensions) dimensions")
        }
        guard positives > 0, positives < n else {
            throw GateError(.insufficientData, "training needs both OOD and in-distribution rows (\(positives) of \(n) are OOD)")
        }
        let positiveWeight = Float(n - positives) / Float(positives)
        let w = weights ?? labels.map { $0 ? positiveWeight : 1 }
        let wv = validationWeights ?? validationLabels.map { $0 ? positiveWeight : 1 }
        guard w.count == n, wv.count == validationLabels.count else {
            throw GateError(.dimensionMismatch, "one loss weight per row is needed")
        }
        var generator = SeededGenerator(seed: config.seed)
        var net = MLP(inputs: dimensions, hidden: config.hidden, generator: &generator)
        var state = AdamState(net)
        var best = net
        var bestLoss = Float.infinity
        var bestEpoch = 0
        var epoch = 0
        var order = Array(0..<n)
        while epoch < config.maxEpochs, epoch - bestEpoch < config.patience {
            epoch += 1
            order.shuffle(using: &generator)
            var start = 0
            while start < n {
                let batch = Array(order[start..<min(n, start + config.batchSize)])
                let grads = net.gradients(rows: rows, labels: labels, indices: batch, dimensions: dimensions, weights: w)
                state.step(&net, grads, config: config)
                start += config.batchSize
            }
            let loss = net.loss(rows: validationRows, labels: validationLabels, weights: wv)
            if loss < bestLoss {
                bestLoss = loss
                best = net
                bestEpoch = epoch
            }
        }
        return (best, MLPTrainingSummary(epochs: epoch, bestEpoch: bestEpoch, bestValidationLoss: bestLoss,
                                         positiveWeight: positiveWeight))
    }

    /// Mean class-weighted binary cross-entropy on rows.
    func loss(rows: [Float], labels: [Bool], positiveWeight: Float) -> Float {
        loss(rows: rows, labels: labels, weights: labels.map { $0 ? positiveWeight : 1 })
    }

    /// Mean weighted binary cross-entropy on rows.
    func loss(rows: [Float], labels: [Bool], weights: [Float]) -> Float {
        let z = logits(rows, count: labels.count)
        var total: Double = 0
        var weight: Double = 0
        for (i, y) in labels.enumerated() {
            let w = weights[i]
            // softplus(-z) for positives, softplus(z) for negatives.
            let s = y ? -z[i] : z[i]
            total += Double(w * (max(s, 0) + log1pf(expf(-abs(s)))))
            weight += Double(w)
        }
        return weight > 0 ? Float(total / weight) : 0
    }

    /// Gradients of the weighted loss, averaged over the minibatch `indices`.
    func gradients(rows: [Float], labels: [Bool], indices: [Int], dimensions: Int, positiveWeight: Float) -> [Layer] {
        gradients(rows: rows, labels: labels, indices: indices, dimensions: dimensions,
                  weights: labels.map { $0 ? positiveWeight : 1 })
    }

    /// Gradients of the per-row weighted loss, averaged over the minibatch `indices`.
    func gradients(rows: [Float], labels: [Bool], indices: [Int], dimensions: Int, weights: [Float]) -> [Layer] {
        var grads = layers.map { Layer(inputs: $0.inputs, outputs: $0.outputs,
                                       weights: [Float](repeating: 0, count: $0.weights.count),
                                       bias: [Float](repeating: 0, count: $0.bias.count)) }
        var totalWeight: Float = 0
        for r in indices {
            // Forward, keeping every layer's activations.
            var acts: [[Float]] = [Array(rows[(r * dimensions)..<((r + 1) * dimensions)])]
            for (li, layer) in layers.enumerated() {
                let x = acts[li]
                var y = layer.bias
                for o in 0..<layer.outputs {
                    var acc = y[o]
                    let base = o * layer.inputs
                    for i in 0..<layer.inputs { acc += layer.weights[base + i] * x[i] }
                    y[o] = li < layers.count - 1 ? max(0, acc) : acc
                }
                acts.append(y)
            }
            let w = weights[r]
            totalWeight += w
            // d loss / d logit = w * (sigmoid(z) - y).
            var delta: [Float] = [w * (sigmoid(acts[layers.count][0]) - (labels[r] ? 1 : 0))]
            for li in stride(from: layers.count - 1, through: 0, by: -1) {
                let layer = layers[li]
                let x = acts[li]
                var back = [Float](repeating: 0, count: layer.inputs)
                for o in 0..<layer.outputs where delta[o] != 0 {
                    let d = delta[o]
                    let base = o * layer.inputs
                    grads[li].bias[o] += d
                    for i in 0..<layer.inputs {
                        grads[li].weights[base + i] += d * x[i]
                        back[i] += d * layer.weights[base + i]
                    }
                }
                if li > 0 {
                    for i in 0..<layer.inputs where x[i] <= 0 { back[i] = 0 }
                }
                delta = back
            }
        }
        let scale = 1 / max(totalWeight, 1e-6)
        for li in grads.indices {
            for i in grads[li].weights.indices { grads[li].weights[i] *= scale }
            for i in grads[li].bias.indices { grads[li].bias[i] *= scale }
        }
        return grads
    }
}

/// Adam's moment estimates for every parameter of a network.
struct AdamState {
    var m: [MLP.Layer]
    var v: [MLP.Layer]
    var t: Int = 0

    init(_ net: MLP) {
        let zero = net.layers.map { MLP.Layer(inputs: $0.inputs, outputs: $0.outputs,
                                              weights: [Float](repeating: 0, count: $0.weights.count),
                                              bias: [Float](repeating: 0, count: $0.bias.count)) }
        m = zero
        v = zero
    }

    mutating func step(_ net: inout MLP, _ grads: [MLP.Layer], config: MLPTrainingConfig) {
        t += 1
        let b1: Float = 0.9, b2: Float = 0.999, eps: Float = 1e-8
        let c1 = 1 - powf(b1, Float(t)), c2 = 1 - powf(b2, Float(t))
        let lr = config.learningRate
        for li in net.layers.indices {
            for i in net.layers[li].weights.indices {
                let g = grads[li].weights[i] + config.weightDecay * net.layers[li].weights[i]
                m[li].weights[i] = b1 * m[li].weights[i] + (1 - b1) * g
                v[li].weights[i] = b2 * v[li].weights[i] + (1 - b2) * g * g
                net.layers[li].weights[i] -= lr * (m[li].weights[i] / c1) / ((v[li].weights[i] / c2).squareRoot() + eps)
            }
            for i in net.layers[li].bias.indices {
                let g = grads[li].bias[i]
                m[li].bias[i] = b1 * m[li].bias[i] + (1 - b1) * g
                v[li].bias[i] = b2 * v[li].bias[i] + (1 - b2) * g * g
                net.layers[li].bias[i] -= lr * (m[li].bias[i] / c1) / ((v[li].bias[i] / c2).squareRoot() + eps)
            }
        }
    }
}
