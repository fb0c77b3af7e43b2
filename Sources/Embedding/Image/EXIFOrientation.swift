/// The EXIF orientation tag (0x0112) of a JPEG or PNG and the transform that shows the image upright.
public enum EXIFOrientation: Int, Sendable, CaseIterable {
    /// Stored upright.
    case up = 1
    /// Mirrored left-right.
    case upMirrored = 2
    /// Rotated 180 degrees.
    case down = 3
    /// Mirrored top-bottom.
    case downMirrored = 4
    /// Transposed (mirror along the main diagonal).
    case leftMirrored = 5
    /// Needs a 90 degree clockwise turn to be upright.
    case right = 6
    /// Transverse (mirror along the anti-diagonal).
    case rightMirrored = 7
    /// Needs a 90 degree counter-clockwise turn to be upright.
    case left = 8

    /// Reads the tag from the APP1 "Exif" segment of a JPEG; nil when absent or malformed.
    ///
    /// Parses only the markers before the first scan; every read is bounds-checked, so any
    /// input is safe.
    public static func read(fromJPEG bytes: [UInt8]) -> EXIFOrientation? {
        var offset = 2
        while offset + 4 <= bytes.count {
            guard bytes[offset] == 0xFF else { return nil }
            let marker = bytes[offset + 1]
            if marker == 0xFF { offset += 1; continue }  // fill byte
            if marker == 0xD8 || (0xD0...0xD7).contains(marker) || marker == 0x01 { offset += 2; continue }
            if marker == 0xDA || marker == 0xD9 { return nil }  // start of scan / end of image
            let length = Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            guard length >= 2, offset + 2 + length <= bytes.count else { return nil }
            if marker == 0xE1 {
                let segment = bytes[(offset + 4)..<(offset + 2 + length)]
                if let value = parseEXIF(Array(segment)) { return value }
            }
            offset += 2 + length
        }
        return nil
    }

    /// Reads the tag from the `eXIf` chunk of a PNG; nil when absent or malformed.
    ///
    /// Walks the chunk list up to `IEND` (eXIf may follow IDAT in files written by some tools);
    /// every read is bounds-checked, so any input is safe.
    public static func read(fromPNG bytes: [UInt8]) -> EXIFOrientation? {
        var offset = 8
        while offset + 12 <= bytes.count {
            let length = bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) }
            let type = Array(bytes[(offset + 4)..<(offset + 8)])
            guard length >= 0, length <= bytes.count - offset - 12 else { return nil }
            let data = (offset + 8)..<(offset + 8 + length)
            if type == [0x65, 0x58, 0x49, 0x66] {  // "eXIf": the TIFF structure itself
                let payload = Array(bytes[data])
                return parseEXIF(payload) ?? parseTIFF(payload)  // tolerate writers that keep "Exif\0\0"
            }
            if type == [0x49, 0x45, 0x4E, 0x44] { return nil }  // IEND
            offset = data.upperBound + 4
        }
        return nil
    }

    /// Reads the orientation from an APP1 payload starting with "Exif\0\0".
    static func parseEXIF(_ payload: [UInt8]) -> EXIFOrientation? {
        let header: [UInt8] = [0x45, 0x78, 0x69, 0x66, 0, 0]
        guard payload.count >= 14, Array(payload[0..<6]) == header else { return nil }
        return parseTIFF(Array(payload[6...]))
    }

    /// Reads the orientation from a TIFF structure (byte order mark, 42, first IFD).
    static func parseTIFF(_ tiff: [UInt8]) -> EXIFOrientation? {
        guard tiff.count >= 8 else { return nil }
        let little: Bool
        switch (tiff[0], tiff[1]) {
        case (0x49, 0x49): little = true
        case (0x4D, 0x4D): little = false
        default: return nil
        }
        func u16(_ at: Int) -> Int? {
            guard at >= 0, at + 2 <= tiff.count else { return nil }
            return little ? Int(tiff[at]) | Int(tiff[at + 1]) << 8 : Int(tiff[at]) << 8 | Int(tiff[at + 1])
        }
        func u32(_ at: Int) -> Int? {
            guard let a = u16(at), let b = u16(at + 2) else { return nil }
            return little ? a | b << 16 : a << 16 | b
        }
        guard u16(2) == 42, let ifd = u32(4), let count = u16(ifd) else { return nil }
        for entry in 0..<count {
            let at = ifd + 2 + entry * 12
            guard let tag = u16(at) else { return nil }
            if tag == 0x0112 {
                guard u16(at + 2) == 3, let value = u16(at + 8) else { return nil }  // type SHORT
                return EXIFOrientation(rawValue: value)
            }
        }
        return nil
    }

    /// Whether the upright image swaps width and height.
    public var swapsAxes: Bool { rawValue >= 5 }

    /// The upright image.
    public func apply(to image: PixelImage) -> PixelImage {
        if self == .up { return image }
        let w = image.width, h = image.height, channels = image.format.channels
        let outW = swapsAxes ? h : w
        let outH = swapsAxes ? w : h
        var out = [UInt8](repeating: 0, count: image.pixels.count)
        image.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<outH {
                    for x in 0..<outW {
                        let (sx, sy): (Int, Int)
                        switch self {
                        case .up: (sx, sy) = (x, y)
                        case .upMirrored: (sx, sy) = (w - 1 - x, y)
                        case .down: (sx, sy) = (w - 1 - x, h - 1 - y)
                        case .downMirrored: (sx, sy) = (x, h - 1 - y)
                        case .leftMirrored: (sx, sy) = (y, x)
                        case .right: (sx, sy) = (y, h - 1 - x)
                        case .rightMirrored: (sx, sy) = (w - 1 - y, h - 1 - x)
                        case .left: (sx, sy) = (w - 1 - y, x)
                        }
                        let s = (sy * w + sx) * channels
                        let d = (y * outW + x) * channels
                        for c in 0..<channels { dst[d + c] = src[s + c] }
                    }
                }
            }
        }
        return PixelImage(validatedWidth: outW, height: outH, format: image.format, pixels: out)
    }
}
