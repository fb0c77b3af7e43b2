/// A dlib DNN file parsed into layer records, input to output (no inference code).
///
/// Produced by `DlibNetwork.read(contentsOf:)`; converted to the engine's `Graph` by
/// `DlibNetwork.graph()`. Tag and skip IDs are not stored in dlib files; the reader infers
/// them from the ResNet pattern (see `DlibLayer.tag`).
public struct DlibNetwork: Sendable, Equatable {
    /// The loss layer's parameters (`loss_metric_2`).
    public struct Loss: Sendable, Equatable {
        /// Type tag, e.g. `loss_metric_2`.
        public var kind: String
        /// Training margin.
        public var margin: Float
        /// The distance below which two faces are the same person (0.6 for the face model).
        public var distanceThreshold: Float
    }

    /// The input layer: a fixed-size RGB image.
    public struct Input: Sendable, Equatable {
        /// Per-channel means subtracted before dividing by 256 (R, G, B).
        public var channelMeans: [Float]
        /// Rows of the input image.
        public var rows: Int
        /// Columns of the input image.
        public var columns: Int
    }

    /// The loss record.
    public var loss: Loss
    /// The input record.
    public var input: Input
    /// Computational and structural layers, input side first.
    public var layers: [DlibLayer]

    /// Number of learned parameters (weights and biases).
    public var parameterCount: Int {
        layers.reduce(0) { total, layer in
            switch layer {
            case .convolution(let c): total + c.weights.count + (c.bias?.count ?? 0)
            case .affine(let a): total + a.gamma.count + a.beta.count
            case .fullyConnected(let f): total + f.weights.count + (f.bias?.count ?? 0)
            default: total
            }
        }
    }
}

/// One layer record of a dlib network.
public enum DlibLayer: Sendable, Equatable {
    /// `con_`: cross-correlation with zero padding.
    case convolution(DlibConvolution)
    /// `affine_` (CONV_MODE) or a converted `bn_con`: out = gamma[c] * x + beta[c].
    case affine(DlibAffine)
    /// `relu_`.
    case relu
    /// `max_pool_`; window clipped to the image.
    case maxPool(DlibPooling)
    /// `avg_pool_`; average over the window clipped to the image. Size 0 means everything.
    case averagePool(DlibPooling)
    /// `fc_`: out[o] = sum_i in[i] * weights[i][o] (+ bias[o]).
    case fullyConnected(DlibFullyConnected)
    /// `tag<id>`: marks its input for a later `skip` or `addPrevious`.
    case tag(id: Int)
    /// `skip<id>`: the output becomes the value marked by the nearest `tag<id>` below.
    case skip(tagID: Int)
    /// `add_prev<id>`: current + the value of the nearest `tag<id>` below, zero-padded to the larger shape.
    case addPrevious(tagID: Int)
}

/// A convolution record.
public struct DlibConvolution: Sendable, Equatable {
    /// Output channels.
    public var filters: Int
    /// Input channels.
    public var inChannels: Int
    /// Kernel rows.
    public var rows: Int
    /// Kernel columns.
    public var columns: Int
    /// Vertical stride.
    public var strideY: Int
    /// Horizontal stride.
    public var strideX: Int
    /// Rows of zero padding on top and bottom.
    public var paddingY: Int
    /// Columns of zero padding left and right.
    public var paddingX: Int
    /// `[filters][inChannels][rows][columns]`.
    public var weights: [Float]
    /// One per filter, or nil.
    public var bias: [Float]?
    /// `con_6` fused ReLU.
    public var fusedReLU: Bool
}

/// A per-channel affine record.
public struct DlibAffine: Sendable, Equatable {
    /// Scale per channel.
    public var gamma: [Float]
    /// Shift per channel.
    public var beta: [Float]
}

/// A pooling record.
public struct DlibPooling: Sendable, Equatable {
    /// Window rows (0 = the whole input).
    public var rows: Int
    /// Window columns (0 = the whole input).
    public var columns: Int
    /// Vertical stride.
    public var strideY: Int
    /// Horizontal stride.
    public var strideX: Int
    /// Rows of padding (positions outside the image do not count).
    public var paddingY: Int
    /// Columns of padding.
    public var paddingX: Int

    /// Whether the window covers the whole input.
    public var isGlobal: Bool { rows == 0 && columns == 0 }
}

/// A fully connected record.
public struct DlibFullyConnected: Sendable, Equatable {
    /// Output length.
    public var outputs: Int
    /// Input length (the input flattened in channel, row, column order).
    public var inputs: Int
    /// `[inputs][outputs]` (dlib's order: inputs x outputs).
    public var weights: [Float]
    /// One per output, or nil.
    public var bias: [Float]?
}
