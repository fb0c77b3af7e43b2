/// Load-time rewrites that keep a graph's results and make it cheaper to run.
///
/// - folds a per-channel `affine` (BatchNorm, constant Mul/Add) into the preceding convolution
///   or fully connected layer;
/// - fuses an activation (ReLU, Clip/ReLU6, PReLU, Sigmoid) into the producer's epilogue;
/// - fuses a residual `add` into the convolution producing one of its operands;
/// - folds a per-channel `normalize`/`affine` into the following unpadded convolution (the input
///   normalisation of a stem: exact, since no padding zeros would be rescaled);
/// - removes no-ops (identity activations and affines, `flatten` of a vector).
///
/// A fusion only happens when the producer's result has no other consumer and is not the
/// graph output, so no intermediate value is lost.
public enum GraphOptimizer {
    /// Returns the optimised graph.
    public static func optimize(_ graph: Graph) -> Graph {
        var nodes: [Node?] = graph.nodes
        var producer = [Int: Int]()
        var consumers = [Int](repeating: 0, count: graph.values.count)
        for (i, node) in graph.nodes.enumerated() {
            producer[node.output.index] = i
            for v in node.inputs { consumers[v.index] += 1 }
        }
        consumers[graph.output.index] += 1
        var alias = [Int: ValueID]()
        func resolve(_ v: ValueID) -> ValueID {
            var v = v
            while let a = alias[v.index] { v = a }
            return v
        }
        func makeAlias(_ from: ValueID, to: ValueID) {
            alias[from.index] = to
            consumers[to.index] += consumers[from.index] - 1
        }
        /// The node producing `v` when only one consumer reads it and it is not the graph output.
        func soleProducer(_ v: ValueID) -> Int? {
            guard consumers[v.index] == 1, resolve(graph.output) != v, let p = producer[v.index], nodes[p] != nil
            else { return nil }
            return p
        }
        func absorb(_ i: Int, into p: Int, _ op: Operation, extraInput: ValueID? = nil) {
            let out = nodes[i]!.output
            nodes[p]!.operation = op
            nodes[p]!.output = out
            if let e = extraInput { nodes[p]!.inputs.append(e) }
            producer[out.index] = p
            nodes[i] = nil
        }

        for i in nodes.indices {
            guard var node = nodes[i] else { continue }
            node.inputs = node.inputs.map(resolve)
            nodes[i] = node
            let x = node.inputs[0]
            switch node.operation {
            case .affine(let scale, let bias):
                if scale.allSatisfy({ $0 == 1 }) && bias.allSatisfy({ $0 == 0 }) {
                    makeAlias(node.output, to: x); nodes[i] = nil; continue
                }
                guard let p = soleProducer(x) else { continue }
                switch nodes[p]!.operation {
                case .convolution(var c) where c.activation == .none && !c.hasResidual:
                    let per = c.weights.count / c.outChannels
                    for o in 0..<c.outChannels {
                        for k in 0..<per { c.weights[o * per + k] *= scale[o] }
                        c.bias[o] = c.bias[o] * scale[o] + bias[o]
                    }
                    absorb(i, into: p, .convolution(c))
                case .fullyConnected(var f) where f.activation == .none && f.outFeatures == scale.count:
                    for o in 0..<f.outFeatures {
                        for k in 0..<f.inFeatures { f.weights[o * f.inFeatures + k] *= scale[o] }
                        f.bias[o] = f.bias[o] * scale[o] + bias[o]
                    }
                    absorb(i, into: p, .fullyConnected(f))
                default: break
                }
            case .convolution(var c) where c.padding == .zero:
                guard let p = soleProducer(x) else { continue }
                let perChannel: (scale: [Float], bias: [Float])
                switch nodes[p]!.operation {
                case .normalize(let mean, let scale): perChannel = (scale, zip(mean, scale).map { -$0 * $1 })
                case .affine(let scale, let bias): perChannel = (scale, bias)
                default: continue
                }
                // w'[o][ci][k] = w * s[ci]; b'[o] = b[o] + sum_{ci,k} w * t[ci] (ci = input channel).
                let cg = c.inChannels / c.groups, og = c.outChannels / c.groups
                let khw = c.kernelHeight * c.kernelWidth
                for o in 0..<c.outChannels {
                    let g = o / og
                    var extra: Float = 0
                    for ci in 0..<cg {
                        let channel = g * cg + ci
                        for k in 0..<khw {
                            let w = c.weights[(o * cg + ci) * khw + k]
                            extra += w * perChannel.bias[channel]
                            c.weights[(o * cg + ci) * khw + k] = w * perChannel.scale[channel]
                        }
                    }
                    c.bias[o] += extra
                }
                let source = nodes[p]!.inputs[0]
                nodes[i]!.operation = .convolution(c)
                nodes[i]!.inputs[0] = source  // the conv reads the source instead of the removed node
                nodes[p] = nil
            case .activation(let a):
                if a == .none { makeAlias(node.output, to: x); nodes[i] = nil; continue }
                guard let p = soleProducer(x) else { continue }
                switch nodes[p]!.operation {
                case .convolution(var c) where c.activation == .none:
                    c.activation = a
                    absorb(i, into: p, .convolution(c))
                case .fullyConnected(var f) where f.activation == .none:
                    f.activation = a
                    absorb(i, into: p, .fullyConnected(f))
                default: break
                }
            case .add:
                let (a, b) = (node.inputs[0], node.inputs[1])
                guard graph.shape(of: a) == graph.shape(of: b) else { continue }
                for (mine, other) in [(a, b), (b, a)] {
                    guard let p = soleProducer(mine), mine != other,
                          case .convolution(var c) = nodes[p]!.operation,
                          c.activation == .none, !c.hasResidual,
                          (producer[other.index].map { $0 < p } ?? true)
                    else { continue }
                    c.hasResidual = true
                    absorb(i, into: p, .convolution(c), extraInput: other)
                    break
                }
            case .flatten, .flattenChannelsLast:
                if graph.shape(of: x).area == 1 { makeAlias(node.output, to: x); nodes[i] = nil }
            default:
                break
            }
        }
        return rebuild(graph, nodes.compactMap { $0 }, output: resolve(graph.output))
    }

    /// Renumbers values so only those still used remain.
    private static func rebuild(_ graph: Graph, _ nodes: [Node], output: ValueID) -> Graph {
        var builder = GraphBuilder(input: graph.inputShape, name: graph.values[graph.input.index].name)
        var map = [graph.input.index: builder.input]
        for node in nodes {
            let inputs = node.inputs.map { map[$0.index]! }
            map[node.output.index] = builder.append(node.operation, inputs, graph.shape(of: node.output), node.name)
        }
        return (try? builder.build(output: map[output.index]!)) ?? graph
    }
}
