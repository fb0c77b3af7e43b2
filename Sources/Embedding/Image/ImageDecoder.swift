import CImageCodecs

/// Decodes encoded images (JPEG, PNG) into `PixelImage`s, honouring EXIF orientation.
///
/// Grey sources stay `.gray`; colour, CMYK and palette sources become `.rgb`. Alpha is dropped
/// (the colour values are kept as stored, like Pillow's `convert("RGB")`) unless
/// `Config.alphaBackground` asks to composite over a grey level. 16-bit PNGs are scaled to 8 bits.
/// Thread-safe: a decoder is an immutable value; every call uses its own codec state.
public struct ImageDecoder: Sendable {
    /// Decoder limits and policies.
    public struct Config: Sendable, Equatable {
        /// Largest accepted width x height, checked from the header before any pixel is decoded
        /// (protects against decompression bombs). Default 40 megapixels.
        public var maxPixels: Int = 40_000_000
        /// Apply the EXIF orientation tag of JPEGs (APP1) and PNGs (`eXIf` chunk) (default true).
        public var applyEXIFOrientation: Bool = true
        /// When set, alpha is composited over this grey level (0...255); nil drops alpha.
        public var alphaBackground: UInt8? = nil

        /// The defaults.
        public init() {}
    }

    /// Container formats recognised from the first bytes.
    public enum Container: String, Sendable {
        /// JPEG (`FF D8 FF`).
        case jpeg
        /// PNG (8-byte signature).
        case png
    }

    /// Limits and policies.
    public var config: Config

    /// Creates a decoder.
    public init(config: Config = Config()) {
        self.config = config
    }

    /// The container of `bytes`, from its signature, or nil.
    public static func container(of bytes: [UInt8]) -> Container? {
        if bytes.count >= 3, bytes[0] == 0xFF, bytes[1] == 0xD8, bytes[2] == 0xFF { return .jpeg }
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        if bytes.count >= 8, Array(bytes[0..<8]) == png { return .png }
        return nil
    }

    /// Decodes a JPEG or PNG.
    ///
    /// - Throws: `ImageError` (`.empty`, `.unknownFormat`, `.corrupt`, `.unsupported`,
    ///   `.tooLarge`, `.outOfMemory`). Never traps on hostile input.
    public func decode(_ bytes: [UInt8]) throws -> PixelImage {
        guard !bytes.isEmpty else { throw ImageError(.empty, "no image bytes") }
        switch ImageDecoder.container(of: bytes) {
        case .jpeg:
            var image = try decodeWithCodec(bytes, name: "JPEG", codec: fg_jpeg_decode)
            if config.applyEXIFOrientation, let orientation = EXIFOrientation.read(fromJPEG: bytes) {
                image = orientation.apply(to: image)
            }
            return image
        case .png:
            try checkPNGHeaderSize(bytes)
            var image = try decodeWithCodec(bytes, name: "PNG", codec: fg_png_decode)
            if config.applyEXIFOrientation, let orientation = EXIFOrientation.read(fromPNG: bytes) {
                image = orientation.apply(to: image)
            }
            return image
        case nil:
            throw ImageError(.unknownFormat, "not a JPEG or PNG (first bytes \(bytes.prefix(4).map { String($0, radix: 16) }))")
        }
    }

    /// Refuses an oversized PNG from its IHDR chunk alone (bytes 16..<24, right after the
    /// signature), before libpng reads anything else: a bomb is refused even when the rest of
    /// the file is missing or crafted.
    private func checkPNGHeaderSize(_ bytes: [UInt8]) throws {
        guard bytes.count >= 24, bytes[12] == 0x49, bytes[13] == 0x48, bytes[14] == 0x44, bytes[15] == 0x52 else { return }
        func be32(_ at: Int) -> UInt64 { bytes[at..<(at + 4)].reduce(UInt64(0)) { $0 << 8 | UInt64($1) } }
        let width = be32(16), height = be32(20)
        if width * height > UInt64(max(0, config.maxPixels)) {
            throw ImageError(.tooLarge, "PNG is \(width)x\(height) pixels, above the limit of \(config.maxPixels)")
        }
    }

    private typealias Codec = (UnsafePointer<UInt8>?, Int, UInt64, UnsafeMutablePointer<fg_decoded_image>?) -> Int32

    private func decodeWithCodec(_ bytes: [UInt8], name: String, codec: Codec) throws -> PixelImage {
        var decoded = fg_decoded_image()
        let limit = UInt64(max(0, config.maxPixels))
        let status = bytes.withUnsafeBufferPointer { codec($0.baseAddress, $0.count, limit, &decoded) }
        defer { fg_decoded_image_free(&decoded) }
        let message = withUnsafeBytes(of: decoded.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        switch Int(status) {
        case FG_CODEC_OK:
            break
        case FG_CODEC_TOO_LARGE:
            throw ImageError(.tooLarge, "\(name) is \(decoded.width)x\(decoded.height) pixels, above the limit of \(config.maxPixels)")
        case FG_CODEC_UNSUPPORTED:
            throw ImageError(.unsupported, "\(name): \(message)")
        case FG_CODEC_OUT_OF_MEMORY:
            throw ImageError(.outOfMemory, "\(name): cannot allocate the pixel buffer")
        case FG_CODEC_NOT_THIS_FORMAT:
            throw ImageError(.unknownFormat, "not a \(name) file")
        default:
            throw ImageError(.corrupt, "\(name): \(message.isEmpty ? "decoding failed" : message)")
        }
        let width = Int(decoded.width), height = Int(decoded.height)
        guard width > 0, height > 0, let base = decoded.pixels else {
            throw ImageError(.corrupt, "\(name): empty image")
        }
        let source = UnsafeBufferPointer(start: base, count: width * height * Int(decoded.channels))
        switch Int(decoded.layout) {
        case FG_PIXELS_GRAY:
            return PixelImage(validatedWidth: width, height: height, format: .gray, pixels: Array(source))
        case FG_PIXELS_GRAY_ALPHA:
            return PixelImage(validatedWidth: width, height: height, format: .gray,
                              pixels: PixelConversion.dropAlpha(source, colorChannels: 1, background: config.alphaBackground))
        case FG_PIXELS_RGB:
            return PixelImage(validatedWidth: width, height: height, format: .rgb, pixels: Array(source))
        case FG_PIXELS_RGBA:
            return PixelImage(validatedWidth: width, height: height, format: .rgb,
                              pixels: PixelConversion.dropAlpha(source, colorChannels: 3, background: config.alphaBackground))
        case FG_PIXELS_CMYK:
            return PixelImage(validatedWidth: width, height: height, format: .rgb,
                              pixels: PixelConversion.cmykToRGB(source, inverted: decoded.cmyk_inverted != 0))
        default:
            throw ImageError(.unsupported, "\(name): pixel layout \(decoded.layout)")
        }
    }
}
