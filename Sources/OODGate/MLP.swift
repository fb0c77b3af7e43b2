import Foundation

/// A small multilayer perceptron: dense layers with ReLU between them and a single logit out.
///
/// The learned part of the gate. Plain Swift loops over contiguous weights: with one hidden
/// layer of 64 units on a 137-wide input, about 9k multiply-adds per face.
public struct MLP: Sendable, Equatable {
    /// One dense layer, `y = W x + b`, `W` row-major `outputs x inputs`.
    public struct Layer: Sendable, Equatable {
        /// Input width.
        public var inputs: Int
        /// Output width.
        public var outputs: Int
        /// `outputs * inputs` weights, row-major (one row per output unit).
        public var weights: [Float]
        /// `outputs` biases.
        public var bias: [Float]

        /// Creates a layer from stored values (counts must match the shape).
        public init(inputs: Int, outputs: Int, weights: [Float], bias: [Float]) {
            self.inputs = inputs
            self.outputs = outputs
            self.weights = weights
            self.bias = bias
        }
    }

    /// The layers, first to last; the last has one output (the OOD logit).
    public var layers: [Layer]

    /// Creates a network from layers.
    public init(layers: [Layer]) {
        self.layers = layers
    }

    /// A freshly initialised network (He-uniform weights, zero biases) with the given hidden widths.
    public init(inputs: Int, hidden: [Int], generator: inout SeededGenerator) {
        var layers: [Layer] = []
        var fanIn = inputs
        for width in hidden + [1] {
            let limit = (6 / Float(fanIn)).squareRoot()
            let w = (0..<(width * fanIn)).map { _ in (generator.nextUnit() * 2 - 1) * limit }
            layers.append(Layer(inputs: fanIn, outputs: width, weights: w, bias: [Float](repeating: 0, count: width)))
            fanIn = width
        }
        self.layers = layers
    }

    /// Input width.
    public var inputs: Int { layers.first?.inputs ?? 0 }

    /// Logits for `count` rows of already-normalised input (row-major, `inputs` wide).
    public func logits(_ rows: [Float], count: Int) -> [Float] {
        guard count > 0, !layers.isEmpty else { return [] }
        var current = rows
        var width = inputs
        for (index, layer) in layers.enumerated() {
            let relu = index < layers.count - 1
            var next = [Float](repeating: 0, count: count * layer.outputs)
            current.withUnsafeBufferPointer { x in
                layer.weights.withUnsafeBufferPointer { w in
                    next.withUnsafeMutableBufferPointer { y in
                        for r in 0..<count {
                            let xr = x.baseAddress! + r * width
                            for o in 0..<layer.outputs {
                                let wo = w.baseAddress! + o * layer.inputs
                                var acc = layer.bias[o]
                                for i in 0..<layer.inputs { acc += wo[i] * xr[i] }
                                y[r * layer.outputs + o] = relu ? max(0, acc) : acc
                            }
                        }
                    }
                }
            }
            current = next
            width = layer.outputs
        }
        return current
    }
}

/// The logistic function, numerically safe for large magnitudes.
@inline(__always)
func sigmoid(_ x: Float) -> Float {
    x >= 0 ? 1 / (1 + expf(-x)) : expf(x) / (1 + expf(x))
}
