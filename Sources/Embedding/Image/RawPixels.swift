/// Raw (unencoded) pixels as a client sends them: a channel layout plus an optional row stride.
public struct RawPixels: Sendable {
    /// Channel order of each pixel.
    public enum Layout: String, Sendable, CaseIterable {
        /// 1 byte: grey.
        case gray
        /// 3 bytes: R G B.
        case rgb
        /// 3 bytes: B G R (OpenCV's order).
        case bgr
        /// 4 bytes: R G B A (alpha dropped).
        case rgba
        /// 4 bytes: B G R A (alpha dropped).
        case bgra

        /// Bytes per pixel.
        public var bytesPerPixel: Int {
            switch self {
            case .gray: 1
            case .rgb, .bgr: 3
            case .rgba, .bgra: 4
            }
        }
    }

    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int
    /// Channel order.
    public var layout: Layout
    /// Bytes from one row's start to the next; nil means tightly packed.
    public var rowStride: Int?
    /// The bytes (at least `(height - 1) * stride + width * bytesPerPixel`).
    public var bytes: [UInt8]

    /// Describes raw pixels (does not validate; `image(maxPixels:)` does).
    public init(width: Int, height: Int, layout: Layout, rowStride: Int? = nil, bytes: [UInt8]) {
        self.width = width
        self.height = height
        self.layout = layout
        self.rowStride = rowStride
        self.bytes = bytes
    }

    /// Converts to a packed `.gray` or `.rgb` `PixelImage`.
    ///
    /// - Throws: `ImageError.invalidGeometry` when sizes or stride do not add up,
    ///   `.tooLarge` above `maxPixels`.
    public func image(maxPixels: Int = ImageDecoder.Config().maxPixels) throws -> PixelImage {
        guard width > 0, height > 0, width <= 1 << 20, height <= 1 << 20 else {
            throw ImageError(.invalidGeometry, "raw image size \(width)x\(height) is not positive and below 2^20")
        }
        guard width * height <= maxPixels else {
            throw ImageError(.tooLarge, "raw image is \(width)x\(height) pixels, above the limit of \(maxPixels)")
        }
        let bpp = layout.bytesPerPixel
        let rowBytes = width * bpp
        let stride = rowStride ?? rowBytes
        guard stride >= rowBytes else {
            throw ImageError(.invalidGeometry, "row stride \(stride) is below width x bytes per pixel (\(rowBytes))")
        }
        let needed = (height - 1) * stride + rowBytes
        guard bytes.count >= needed else {
            throw ImageError(.invalidGeometry, "raw \(layout.rawValue) \(width)x\(height) stride \(stride) needs \(needed) bytes, got \(bytes.count)")
        }
        let outChannels = layout == .gray ? 1 : 3
        var out = [UInt8](repeating: 0, count: width * height * outChannels)
        let order: [Int]
        switch layout {
        case .gray: order = [0]
        case .rgb, .rgba: order = [0, 1, 2]
        case .bgr, .bgra: order = [2, 1, 0]
        }
        bytes.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<height {
                    let rowStart = y * stride
                    for x in 0..<width {
                        let s = rowStart + x * bpp
                        let d = (y * width + x) * outChannels
                        for c in 0..<outChannels { dst[d + c] = src[s + order[c]] }
                    }
                }
            }
        }
        return PixelImage(validatedWidth: width, height: height, format: layout == .gray ? .gray : .rgb, pixels: out)
    }
}
