import CImageCodecs

/// dlib's `pyramid_down<2>` for RGB images: a separable [1 4 6 4 1] filter with the sampling
/// grid and integer truncation of dlib's RGB overload (16-bit accumulators, sum / 256).
enum ImagePyramid {
    /// The next level, `((rows - 3) / 2) x ((columns - 3) / 2)`; nil when the input has 8 or
    /// fewer rows or columns (dlib returns an empty image then).
    static func down(_ image: PixelImage) -> PixelImage? {
        level(below: image) { rows, cols, temp, out in
            fg_pyramid_down_rgb(image.pixels, Int32(rows), Int32(cols), &temp, &out)
        }
    }

    /// The same filter in plain Swift: the reference the C kernel is tested against.
    static func referenceDown(_ image: PixelImage) -> PixelImage? {
        level(below: image) { rows, cols, temp, out in referenceFilter(image.pixels, rows: rows, cols: cols, &temp, &out) }
    }

    /// Sizes and buffers of the next level; `filter(rows, cols, temp, out)` fills `out`.
    private static func level(below image: PixelImage,
                              filter: (Int, Int, inout [UInt16], inout [UInt8]) -> Void) -> PixelImage? {
        let rows = image.height, cols = image.width
        guard rows > 8, cols > 8, image.format == .rgb else { return nil }
        let tempCols = (cols - 3) / 2
        let outRows = (rows - 3) / 2
        var temp = [UInt16](repeating: 0, count: rows * tempCols * 3)
        var out = [UInt8](repeating: 0, count: outRows * tempCols * 3)
        filter(rows, cols, &temp, &out)
        return PixelImage(validatedWidth: tempCols, height: outRows, format: .rgb, pixels: out)
    }

    private static func referenceFilter(_ pixels: [UInt8], rows: Int, cols: Int, _ temp: inout [UInt16], _ out: inout [UInt8]) {
        let tempCols = (cols - 3) / 2
        pixels.withUnsafeBufferPointer { src in
            temp.withUnsafeMutableBufferPointer { tmp in
                for r in 0..<rows {
                    let row = r * cols * 3
                    for c in 0..<tempCols {
                        let o = row + 2 * c * 3
                        for ch in 0..<3 {
                            let sum = UInt16(src[o + ch]) + 4 * UInt16(src[o + 3 + ch]) + 6 * UInt16(src[o + 6 + ch])
                                + 4 * UInt16(src[o + 9 + ch]) + UInt16(src[o + 12 + ch])
                            tmp[(r * tempCols + c) * 3 + ch] = sum
                        }
                    }
                }
            }
        }
        temp.withUnsafeBufferPointer { tmp in
            out.withUnsafeMutableBufferPointer { dst in
                var dr = 0
                var r = 2
                while r < rows - 2 {
                    for c in 0..<tempCols {
                        for ch in 0..<3 {
                            func at(_ rr: Int) -> UInt32 { UInt32(tmp[(rr * tempCols + c) * 3 + ch]) }
                            // dlib accumulates in uint16; 16 * 16 * 255 = 65280 never overflows.
                            let sum = at(r - 2) + 4 * at(r - 1) + 6 * at(r) + 4 * at(r + 1) + at(r + 2)
                            dst[(dr * tempCols + c) * 3 + ch] = UInt8(truncatingIfNeeded: (sum & 0xFFFF) / 256)
                        }
                    }
                    dr += 1
                    r += 2
                }
            }
        }
    }
}
