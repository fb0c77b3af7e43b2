import CImageCodecs

/// dlib's `interpolate_bilinear` + `transform_image` for RGB: each output pixel (x, y) samples
/// the source at `map(x, y)` in double; a sample whose 2x2 neighbourhood leaves the source is
/// black; values are truncated (not rounded) to 8 bits.
enum BilinearSampler {
    /// Samples with the C kernel (bit-identical to `referenceSample`).
    static func sample(_ source: PixelImage, map: AffineTransform2D, into output: inout PixelImage) {
        let m = [map.m.0, map.m.1, map.m.2, map.m.3], t = [map.t.0, map.t.1]
        let (ow, oh) = (Int32(output.width), Int32(output.height))
        fg_bilinear_rgb(source.pixels, Int32(source.width), Int32(source.height), m, t, &output.pixels, ow, oh)
    }

    /// The same sampling in plain Swift: the reference the C kernel is tested against.
    static func referenceSample(_ source: PixelImage, map: AffineTransform2D, into output: inout PixelImage) {
        let w = source.width, h = source.height
        let ow = output.width, oh = output.height
        source.pixels.withUnsafeBufferPointer { src in
            output.pixels.withUnsafeMutableBufferPointer { dst in
                for y in 0..<oh {
                    let rowX = map.m.1 * Double(y), rowY = map.m.3 * Double(y)
                    for x in 0..<ow {
                        // Same operation order as dlib: (m * p) + t.
                        let px = (map.m.0 * Double(x) + rowX) + map.t.0, py = (map.m.2 * Double(x) + rowY) + map.t.1
                        let o = (y * ow + x) * 3
                        // floor(p) + 1 < size  <=>  p < size - 1; checked before any Int conversion,
                        // so absurd coordinates (or NaN) fall outside instead of trapping.
                        guard px >= 0, py >= 0, px < Double(w - 1), py < Double(h - 1) else {
                            dst[o] = 0; dst[o + 1] = 0; dst[o + 2] = 0
                            continue
                        }
                        let left = Int(px), top = Int(py)
                        let fx = Double(left), fy = Double(top)
                        let lr = px - fx, tb = py - fy
                        let i00 = (top * w + left) * 3, i01 = i00 + 3
                        let i10 = i00 + w * 3, i11 = i10 + 3
                        for c in 0..<3 {
                            let v = (1 - tb) * ((1 - lr) * Double(src[i00 + c]) + lr * Double(src[i01 + c]))
                                + tb * ((1 - lr) * Double(src[i10 + c]) + lr * Double(src[i11 + c]))
                            dst[o + c] = UInt8(max(0, min(255, v)))
                        }
                    }
                }
            }
        }
    }
}
