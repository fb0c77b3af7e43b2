/// Pixel-format conversions used by the decoders and raw-pixel input.
enum PixelConversion {
    /// Removes the last channel of each pixel; with a background, composites over it first.
    static func dropAlpha(_ source: UnsafeBufferPointer<UInt8>, colorChannels: Int, background: UInt8?) -> [UInt8] {
        let stride = colorChannels + 1
        let count = source.count / stride
        var out = [UInt8](repeating: 0, count: count * colorChannels)
        out.withUnsafeMutableBufferPointer { dst in
            for i in 0..<count {
                let alpha = Int(source[i * stride + colorChannels])
                for c in 0..<colorChannels {
                    let value = Int(source[i * stride + c])
                    if let background {
                        dst[i * colorChannels + c] = UInt8((value * alpha + Int(background) * (255 - alpha) + 127) / 255)
                    } else {
                        dst[i * colorChannels + c] = UInt8(value)
                    }
                }
            }
        }
        return out
    }

    /// CMYK (4 bytes) to RGB: R = (255 - C)(255 - K) / 255. Adobe JPEGs store inverted inks,
    /// for which R = C'K' / 255.
    static func cmykToRGB(_ source: UnsafeBufferPointer<UInt8>, inverted: Bool) -> [UInt8] {
        let count = source.count / 4
        var out = [UInt8](repeating: 0, count: count * 3)
        out.withUnsafeMutableBufferPointer { dst in
            for i in 0..<count {
                var k = Int(source[4 * i + 3])
                if !inverted { k = 255 - k }
                for c in 0..<3 {
                    var ink = Int(source[4 * i + c])
                    if !inverted { ink = 255 - ink }
                    dst[3 * i + c] = UInt8((ink * k + 127) / 255)
                }
            }
        }
        return out
    }
}

extension PixelImage {
    /// Wraps pixels whose count the caller has already checked.
    init(validatedWidth width: Int, height: Int, format: Format, pixels: [UInt8]) {
        guard let image = PixelImage(width: width, height: height, format: format, pixels: pixels) else {
            fatalError("internal: pixel count \(pixels.count) does not match \(width)x\(height)x\(format.channels)")
        }
        self = image
    }

    /// This image as RGB (grey is replicated into three channels; RGB is returned unchanged).
    public func rgb() -> PixelImage {
        guard format == .gray else { return self }
        var out = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) {
            let v = pixels[i]
            out[3 * i] = v
            out[3 * i + 1] = v
            out[3 * i + 2] = v
        }
        return PixelImage(validatedWidth: width, height: height, format: .rgb, pixels: out)
    }

    /// This image as grey, dlib's way: (R + G + B) / 3 with integer division; grey is unchanged.
    public func grayByChannelMean() -> PixelImage {
        guard format == .rgb else { return self }
        var out = [UInt8](repeating: 0, count: width * height)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for i in 0..<dst.count {
                    dst[i] = UInt8((UInt16(src[3 * i]) + UInt16(src[3 * i + 1]) + UInt16(src[3 * i + 2])) / 3)
                }
            }
        }
        return PixelImage(validatedWidth: width, height: height, format: .gray, pixels: out)
    }
}
