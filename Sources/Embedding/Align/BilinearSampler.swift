/// dlib's `interpolate_bilinear` + `transform_image` for RGB: each output pixel (x, y) samples
/// the source at `map(x, y)` in double; a sample whose 2x2 neighbourhood leaves the source is
/// black; values are truncated (not rounded) to 8 bits.
enum BilinearSampler {
    static func sample(_ source: PixelImage, map: AffineTransform2D, into output: inout PixelImage) {
        let w = source.width, h = source.height
        let ow = output.width, oh = output.height
        source.pixels.withUnsafeBufferPointer { src in
            output.pixels.withUnsafeMutableBufferPointer { dst in
                for y in 0..<oh {
                    for x in 0..<ow {
                        let (px, py) = map.apply(Double(x), Double(y))
                        let fx = px.rounded(.down), fy = py.rounded(.down)
                        let o = (y * ow + x) * 3
                        guard fx >= 0, fy >= 0, fx + 1 < Double(w), fy + 1 < Double(h) else {
                            dst[o] = 0; dst[o + 1] = 0; dst[o + 2] = 0
                            continue
                        }
                        let left = Int(fx), top = Int(fy)
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
