#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A pointwise nonlinearity, either a node of its own or fused into a producer's epilogue.
public enum Activation: Sendable, Equatable {
    /// Identity.
    case none
    /// `max(x, 0)`.
    case relu
    /// `min(max(x, min), max)`; ReLU6 is `clip(0, 6)`.
    case clip(min: Float, max: Float)
    /// `x >= 0 ? x : slope[c] * x`, one slope per channel.
    case prelu(slopes: [Float])
    /// `1 / (1 + exp(-x))`.
    case sigmoid

    /// Applies the activation to one value of channel `channel` (reference semantics).
    @inline(__always)
    public func apply(_ x: Float, channel: Int) -> Float {
        switch self {
        case .none: return x
        case .relu: return x > 0 ? x : 0
        case .clip(let lo, let hi): return Swift.min(Swift.max(x, lo), hi)
        case .prelu(let slopes): return x >= 0 ? x : slopes[channel] * x
        case .sigmoid: return 1 / (1 + _exp(-x))
        }
    }
}

@inline(__always) func _exp(_ x: Float) -> Float { expf(x) }

/// Zero padding around the spatial dimensions, in pixels.
public struct Padding: Hashable, Sendable {
    /// Rows added above.
    public var top: Int
    /// Columns added on the left.
    public var left: Int
    /// Rows added below.
    public var bottom: Int
    /// Columns added on the right.
    public var right: Int

    /// Asymmetric padding.
    public init(top: Int, left: Int, bottom: Int, right: Int) {
        self.top = top
        self.left = left
        self.bottom = bottom
        self.right = right
    }

    /// The same padding on every side.
    public static func uniform(_ p: Int) -> Padding { Padding(top: p, left: p, bottom: p, right: p) }

    /// No padding.
    public static let zero = Padding.uniform(0)
}

/// A 2-D convolution with constant weights and a fused epilogue.
///
/// `y = activation(conv(x, weights) + bias + residual)` where `residual` is the node's second
/// input when `hasResidual` (same shape as the output).
public struct Convolution: Sendable, Equatable {
    /// Output channels.
    public var outChannels: Int
    /// Input channels (all groups together).
    public var inChannels: Int
    /// Kernel rows.
    public var kernelHeight: Int
    /// Kernel columns.
    public var kernelWidth: Int
    /// Vertical stride.
    public var strideY: Int
    /// Horizontal stride.
    public var strideX: Int
    /// Zero padding.
    public var padding: Padding
    /// Channel groups; `groups == inChannels == outChannels` is depthwise.
    public var groups: Int
    /// `[outChannels][inChannels / groups][kernelHeight][kernelWidth]` (ONNX OIHW order).
    public var weights: [Float]
    /// One bias per output channel (zeros when the model has none).
    public var bias: [Float]
    /// Fused activation, applied after bias and residual.
    public var activation: Activation
    /// Whether the node's second input is added before the activation (fused residual Add).
    public var hasResidual: Bool

    /// Whether each output channel reads exactly one input channel.
    public var isDepthwise: Bool { groups == inChannels && groups == outChannels }
}

/// A spatial pooling window.
public struct Pooling: Sendable, Equatable, Hashable {
    /// Window rows.
    public var kernelHeight: Int
    /// Window columns.
    public var kernelWidth: Int
    /// Vertical stride.
    public var strideY: Int
    /// Horizontal stride.
    public var strideX: Int
    /// Padding (positions outside the image never contribute).
    public var padding: Padding
    /// Output size rounds up (ONNX `ceil_mode = 1`) instead of down.
    public var ceilMode: Bool
    /// Average pooling only: divide by the full window size (ONNX `count_include_pad = 1`)
    /// instead of by the number of in-image positions (the clipped window, dlib's behaviour).
    public var countIncludesPadding: Bool

    /// Creates a pooling window.
    public init(
        kernelHeight: Int, kernelWidth: Int, strideY: Int, strideX: Int,
        padding: Padding = .zero, ceilMode: Bool = false, countIncludesPadding: Bool = false
    ) {
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.strideY = strideY
        self.strideX = strideX
        self.padding = padding
        self.ceilMode = ceilMode
        self.countIncludesPadding = countIncludesPadding
    }
}

/// A fully connected layer: `y[o] = activation(sum_i weights[o][i] * x[i] + bias[o])`.
public struct FullyConnected: Sendable, Equatable {
    /// Output length.
    public var outFeatures: Int
    /// Input length (the input's `channels * height * width`, flattened in CHW order).
    public var inFeatures: Int
    /// `[outFeatures][inFeatures]`.
    public var weights: [Float]
    /// One bias per output (zeros when absent).
    public var bias: [Float]
    /// Fused activation.
    public var activation: Activation
}

/// What a node computes. Every operation has reference semantics in `ReferenceExecutor`.
public enum Operation: Sendable, Equatable {
    /// Per-channel input normalisation `y = (x - mean[c]) * scale[c]`.
    case normalize(mean: [Float], scale: [Float])
    /// Convolution (inputs: x, and the residual when `hasResidual`).
    case convolution(Convolution)
    /// Per-channel affine `y = x * scale[c] + bias[c]` (BatchNorm, dlib `affine`, constant
    /// Mul/Add/Sub/Div); folded into a preceding convolution when possible.
    case affine(scale: [Float], bias: [Float])
    /// A standalone activation.
    case activation(Activation)
    /// Max pooling.
    case maxPool(Pooling)
    /// Average pooling.
    case averagePool(Pooling)
    /// Mean over all spatial positions: `[C, H, W] -> [C, 1, 1]`.
    case globalAveragePool
    /// Elementwise sum of two values of the same shape, or of `[C,H,W]` and `[C,1,1]`.
    case add
    /// Elementwise product of two values of the same shape, or of `[C,H,W]` and `[C,1,1]`.
    case multiply
    /// dlib `add_prev`: output shape is the maximum of each dimension, both inputs aligned at
    /// channel 0 / top-left, missing entries count as 0.
    case paddedAdd
    /// `[C, H, W] -> [C*H*W, 1, 1]` in CHW order.
    case flatten
    /// `[C, H, W] -> [C*H*W, 1, 1]` in HWC order: ONNX `Transpose(perm [0, 2, 3, 1])` followed by
    /// a flatten (TensorFlow/Keras exports flatten channels-last maps this way).
    case flattenChannelsLast
    /// Fully connected layer (Gemm/MatMul with constant weights).
    case fullyConnected(FullyConnected)
    /// Concatenation of all inputs along channels (same height and width).
    case concat
    /// Divides each sample by its L2 norm (plus a tiny epsilon).
    case l2Normalize

    /// Short operator name for messages.
    public var name: String {
        switch self {
        case .normalize: "Normalize"
        case .convolution: "Conv"
        case .affine: "Affine"
        case .activation: "Activation"
        case .maxPool: "MaxPool"
        case .averagePool: "AveragePool"
        case .globalAveragePool: "GlobalAveragePool"
        case .add: "Add"
        case .multiply: "Mul"
        case .paddedAdd: "PaddedAdd"
        case .flatten: "Flatten"
        case .flattenChannelsLast: "FlattenChannelsLast"
        case .fullyConnected: "FullyConnected"
        case .concat: "Concat"
        case .l2Normalize: "L2Normalize"
        }
    }
}
