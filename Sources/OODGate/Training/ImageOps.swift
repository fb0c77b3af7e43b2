import Embedding
import Foundation

/// Small pixel transforms behind `Degradation` (per channel, clamped to 0...255).
enum ImageOps {
    static func clampByte(_ v: Float) -> UInt8 { UInt8(max(0, min(255, v.rounded()))) }

    static func make(_ like: PixelImage, _ pixels: [UInt8]) -> PixelImage {
        PixelImage(width: like.width, height: like.height, format: like.format, pixels: pixels) ?? like
    }

    static func map(_ image: PixelImage, _ f: (Float) -> Float) -> PixelImage {
        return make(image, image.pixels.map { clampByte(f(Float($0))) })
    }

    static func fillRect(_ image: PixelImage, x: Float, y: Float, width: Float, height: Float, level: UInt8) -> PixelImage {
        var p = image.pixels
        let c = image.format.channels
        let x0 = max(0, Int(x * Float(image.width))), x1 = min(image.width, Int((x + width) * Float(image.width)))
        let y0 = max(0, Int(y * Float(image.height))), y1 = min(image.height, Int((y + height) * Float(image.height)))
        guard x0 < x1, y0 < y1 else { return image }
        for yy in y0..<y1 {
            for xx in x0..<x1 {
                for ch in 0..<c { p[(yy * image.width + xx) * c + ch] = level }
            }
        }
        return make(image, p)
    }

    /// Separable Gaussian blur, edges clamped.
    static func gaussianBlur(_ image: PixelImage, sigma: Float) -> PixelImage {
        guard sigma > 0 else { return image }
        let radius = max(1, Int((3 * sigma).rounded(.up)))
        var kernel = (-radius...radius).map { expf(-Float($0 * $0) / (2 * sigma * sigma)) }
        let total = kernel.reduce(0, +)
        kernel = kernel.map { $0 / total }
        let w = image.width, h = image.height, c = image.format.channels
        let src = image.pixels.map(Float.init)
        var tmp = [Float](repeating: 0, count: src.count)
        for y in 0..<h {
            for x in 0..<w {
                for ch in 0..<c {
                    var acc: Float = 0
                    for k in -radius...radius {
                        let xx = min(w - 1, max(0, x + k))
                        acc += kernel[k + radius] * src[(y * w + xx) * c + ch]
                    }
                    tmp[(y * w + x) * c + ch] = acc
                }
            }
        }
        var out = [UInt8](repeating: 0, count: src.count)
        for y in 0..<h {
            for x in 0..<w {
                for ch in 0..<c {
                    var acc: Float = 0
                    for k in -radius...radius {
                        let yy = min(h - 1, max(0, y + k))
                        acc += kernel[k + radius] * tmp[(yy * w + x) * c + ch]
                    }
                    out[(y * w + x) * c + ch] = clampByte(acc)
                }
            }
        }
        return make(image, out)
    }

    /// Bilinear sample of channel `ch` at (x, y), edges clamped.
    static func bilinear(_ p: [Float], _ w: Int, _ h: Int, _ c: Int, _ ch: Int, _ x: Float, _ y: Float) -> Float {
        let xc = min(Float(w - 1), max(0, x)), yc = min(Float(h - 1), max(0, y))
        let x0 = Int(xc), y0 = Int(yc)
        let x1 = min(w - 1, x0 + 1), y1 = min(h - 1, y0 + 1)
        let fx = xc - Float(x0), fy = yc - Float(y0)
        let a = p[(y0 * w + x0) * c + ch], b = p[(y0 * w + x1) * c + ch]
        let d = p[(y1 * w + x0) * c + ch], e = p[(y1 * w + x1) * c + ch]
        return (a * (1 - fx) + b * fx) * (1 - fy) + (d * (1 - fx) + e * fx) * fy
    }

    /// Box-averages down to `factor` of the size, then bilinearly resamples back up.
    static func downUp(_ image: PixelImage, factor: Float) -> PixelImage {
        let w = image.width, h = image.height, c = image.format.channels
        let sw = max(1, Int((Float(w) * factor).rounded())), sh = max(1, Int((Float(h) * factor).rounded()))
        var small = [Float](repeating: 0, count: sw * sh * c)
        var counts = [Float](repeating: 0, count: sw * sh)
        for y in 0..<h {
            let sy = min(sh - 1, y * sh / h)
            for x in 0..<w {
                let sx = min(sw - 1, x * sw / w)
                counts[sy * sw + sx] += 1
                for ch in 0..<c { small[(sy * sw + sx) * c + ch] += Float(image.pixels[(y * w + x) * c + ch]) }
            }
        }
        for i in 0..<(sw * sh) where counts[i] > 0 {
            for ch in 0..<c { small[i * c + ch] /= counts[i] }
        }
        var out = [UInt8](repeating: 0, count: w * h * c)
        for y in 0..<h {
            let sy = (Float(y) + 0.5) * Float(sh) / Float(h) - 0.5
            for x in 0..<w {
                let sx = (Float(x) + 0.5) * Float(sw) / Float(w) - 0.5
                for ch in 0..<c { out[(y * w + x) * c + ch] = clampByte(bilinear(small, sw, sh, c, ch, sx, sy)) }
            }
        }
        return make(image, out)
    }

    /// 8x8 DCT-II per block and channel, uniform quantisation (DC step halved), inverse DCT.
    static func blockDCTQuantise(_ image: PixelImage, step: Float) -> PixelImage {
        let w = image.width, h = image.height, c = image.format.channels
        var basis = [Float](repeating: 0, count: 64)  // basis[u * 8 + x]
        for u in 0..<8 {
            let a: Float = u == 0 ? (1.0 / 8).squareRoot() : (2.0 / 8).squareRoot()
            for x in 0..<8 { basis[u * 8 + x] = a * cosf(Float((2 * x + 1) * u) * Float.pi / 16) }
        }
        var out = image.pixels
        var block = [Float](repeating: 0, count: 64)
        var coef = [Float](repeating: 0, count: 64)
        for by in stride(from: 0, to: h, by: 8) {
            for bx in stride(from: 0, to: w, by: 8) {
                for ch in 0..<c {
                    for y in 0..<8 {
                        for x in 0..<8 {
                            let yy = min(h - 1, by + y), xx = min(w - 1, bx + x)
                            block[y * 8 + x] = Float(image.pixels[(yy * w + xx) * c + ch]) - 128
                        }
                    }
                    for v in 0..<8 {
                        for u in 0..<8 {
                            var acc: Float = 0
                            for y in 0..<8 { for x in 0..<8 { acc += basis[v * 8 + y] * basis[u * 8 + x] * block[y * 8 + x] } }
                            let q = (u == 0 && v == 0) ? step / 2 : step
                            coef[v * 8 + u] = (acc / q).rounded() * q
                        }
                    }
                    for y in 0..<8 where by + y < h {
                        for x in 0..<8 where bx + x < w {
                            var acc: Float = 0
                            for v in 0..<8 { for u in 0..<8 { acc += basis[v * 8 + y] * basis[u * 8 + x] * coef[v * 8 + u] } }
                            out[((by + y) * w + bx + x) * c + ch] = clampByte(acc + 128)
                        }
                    }
                }
            }
        }
        return make(image, out)
    }
}
