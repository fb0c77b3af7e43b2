import Embedding
import Foundation

/// A synthetic way of making a good face out of distribution, for training the gate.
///
/// Applied to the aligned crop (so no re-detection is needed); `downscale` also shrinks the
/// source-image landmarks so the face-size cue sees the smaller face. Every degradation is
/// deterministic given its parameters; `random(_:using:)` draws strong parameters from a seeded
/// generator.
public enum Degradation: Sendable, Equatable {
    /// Gaussian blur with this standard deviation, pixels of the aligned crop.
    case blur(sigma: Float)
    /// Additive Gaussian noise with this standard deviation, grey levels.
    case noise(sigma: Float)
    /// Multiply intensities by `gain` (< 1) after a gamma > 1: underexposure.
    case lowLight(gain: Float, gamma: Float)
    /// Multiply intensities by `gain` (> 1), clipping at 255: overexposure.
    case overExposure(gain: Float)
    /// Resample down by `factor` (< 1) and back up; the source face shrinks by the same factor.
    case downscale(factor: Float)
    /// Fill a rectangle (fractions of the crop) with a flat grey level.
    case occlusion(x: Float, y: Float, width: Float, height: Float, level: UInt8)
    /// JPEG-like loss: 8x8 block DCT per channel with a uniform quantiser step (`random` draws
    /// 150...300, the order of a quality 5-10 JPEG table's mid frequencies).
    case blockDCT(step: Float)

    /// The kinds, for choosing and for reports.
    public enum Kind: UInt8, Sendable, CaseIterable, CustomStringConvertible {
        case blur = 1, noise, lowLight, overExposure, downscale, occlusion, blockDCT

        /// Short name (`blur`, `noise`, ...).
        public var description: String {
            switch self {
            case .blur: "blur"
            case .noise: "noise"
            case .lowLight: "low-light"
            case .overExposure: "over-exposure"
            case .downscale: "downscale"
            case .occlusion: "occlusion"
            case .blockDCT: "block-dct"
            }
        }
    }

    /// This degradation's kind.
    public var kind: Kind {
        switch self {
        case .blur: .blur
        case .noise: .noise
        case .lowLight: .lowLight
        case .overExposure: .overExposure
        case .downscale: .downscale
        case .occlusion: .occlusion
        case .blockDCT: .blockDCT
        }
    }

    /// A strong degradation of `kind` with parameters drawn from `generator`.
    public static func random(_ kind: Kind, using g: inout SeededGenerator) -> Degradation {
        func uniform(_ lo: Float, _ hi: Float) -> Float { lo + (hi - lo) * g.nextUnit() }
        switch kind {
        case .blur: return .blur(sigma: uniform(2.5, 5))
        case .noise: return .noise(sigma: uniform(30, 60))
        case .lowLight: return .lowLight(gain: uniform(0.08, 0.2), gamma: uniform(1.2, 2))
        case .overExposure: return .overExposure(gain: uniform(2.2, 4))
        case .downscale: return .downscale(factor: uniform(0.1, 0.2))
        case .occlusion:
            let w = uniform(0.5, 0.8), h = uniform(0.35, 0.55)
            return .occlusion(x: uniform(0, 1 - w), y: uniform(0.15, 1 - h), width: w, height: h,
                              level: UInt8(uniform(0, 255)))
        case .blockDCT: return .blockDCT(step: uniform(150, 300))
        }
    }

    /// The degraded sample.
    public func apply(to sample: FaceSample) -> FaceSample {
        var out = sample
        let image = sample.alignedFace
        switch self {
        case .blur(let sigma):
            out.alignedFace = ImageOps.gaussianBlur(image, sigma: sigma)
        case .noise(let sigma):
            // Noise is deterministic from the parameter so that `apply` is a pure function.
            var g = SeededGenerator(seed: UInt64(sigma.bitPattern) ^ 0x6A09_E667)
            out.alignedFace = ImageOps.map(image) { v in v + sigma * g.nextGaussian() }
        case .lowLight(let gain, let gamma):
            out.alignedFace = ImageOps.map(image) { v in 255 * powf(v / 255, gamma) * gain }
        case .overExposure(let gain):
            out.alignedFace = ImageOps.map(image) { v in v * gain }
        case .downscale(let factor):
            out.alignedFace = ImageOps.downUp(image, factor: factor)
            out.landmarks = sample.landmarks.scaled(by: factor)
        case .occlusion(let x, let y, let w, let h, let level):
            out.alignedFace = ImageOps.fillRect(image, x: x, y: y, width: w, height: h, level: level)
        case .blockDCT(let step):
            out.alignedFace = ImageOps.blockDCTQuantise(image, step: step)
        }
        return out
    }
}
