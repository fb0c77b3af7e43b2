import Foundation
import Testing
@testable import Embedding

@Suite("ImageDecoder")
struct ImageDecoderTests {
    /// (file, expected format, max abs difference allowed against Pillow's pixels)
    static let cases: [(String, PixelImage.Format, Int)] = [
        ("rgb.png", .rgb, 0), ("gray.png", .gray, 0), ("rgba.png", .rgb, 0), ("gray-alpha.png", .gray, 0),
        ("palette.png", .rgb, 0), ("gray16.png", .gray, 0), ("rgb16.png", .rgb, 0), ("bilevel.png", .gray, 0),
        ("rgb.jpg", .rgb, 2), ("gray.jpg", .gray, 2), ("progressive.jpg", .rgb, 2), ("cmyk.jpg", .rgb, 12),
    ] + (1...8).map { ("orientation-\($0).jpg", PixelImage.Format.rgb, 2) }
      + (1...8).map { ("orientation-\($0).png", PixelImage.Format.rgb, 0) }

    @Test("decodes fixtures like Pillow", arguments: cases)
    func decodesLikePillow(file: String, format: PixelImage.Format, tolerance: Int) throws {
        let image = try ImageDecoder().decode(try ImageFixtures.bytes(file))
        let expected = try ImageFixtures.bytes(file + (format == .gray ? ".gray" : ".rgb"))
        #expect(image.format == format)
        let swapped = file.hasPrefix("orientation-") && (Int(String(file.dropFirst(12).prefix(1))) ?? 0) >= 5
        #expect(image.width == (swapped ? 23 : 37))
        #expect(image.height == (swapped ? 37 : 23))
        #expect(image.pixels.count == expected.count)
        let worst = zip(image.pixels, expected).map { abs(Int($0) - Int($1)) }.max() ?? 0
        #expect(worst <= tolerance, "max abs diff \(worst) for \(file)")
    }

    @Test("reads the EXIF orientation tag", arguments: 1...8)
    func readsOrientation(value: Int) throws {
        let bytes = try ImageFixtures.bytes("orientation-\(value).jpg")
        #expect(EXIFOrientation.read(fromJPEG: bytes)?.rawValue == value)
    }

    @Test("reads the orientation of a PNG eXIf chunk (written by Pillow)", arguments: 1...8)
    func readsPNGOrientation(value: Int) throws {
        let bytes = try ImageFixtures.bytes("orientation-\(value).png")
        #expect(EXIFOrientation.read(fromPNG: bytes)?.rawValue == value)
        #expect(EXIFOrientation.read(fromPNG: try ImageFixtures.bytes("rgb.png")) == nil)
    }

    @Test("orientation can be ignored")
    func orientationCanBeIgnored() throws {
        var config = ImageDecoder.Config()
        config.applyEXIFOrientation = false
        let image = try ImageDecoder(config: config).decode(try ImageFixtures.bytes("orientation-6.jpg"))
        #expect(image.width == 37 && image.height == 23)
        let png = try ImageDecoder(config: config).decode(try ImageFixtures.bytes("orientation-6.png"))
        #expect(png.width == 37 && png.height == 23)
    }

    @Test("alpha composited over a background when asked")
    func alphaComposite() throws {
        var config = ImageDecoder.Config()
        config.alphaBackground = 255
        let composited = try ImageDecoder(config: config).decode(try ImageFixtures.bytes("rgba.png"))
        let dropped = try ImageDecoder().decode(try ImageFixtures.bytes("rgba.png"))
        // Pixel (0,0) is black and almost transparent (the alpha gradient starts near 0).
        #expect(dropped.pixels[0..<3] == [0, 0, 0])
        #expect(composited.pixels[0..<3].allSatisfy { $0 >= 240 })
    }

    @Test("pixel limit is checked from the header", arguments: ["rgb.png", "rgb.jpg"])
    func pixelLimit(file: String) throws {
        var config = ImageDecoder.Config()
        config.maxPixels = 37 * 23 - 1
        #expect(throws: ImageError.self) { try ImageDecoder(config: config).decode(try ImageFixtures.bytes(file)) }
        do {
            _ = try ImageDecoder(config: config).decode(try ImageFixtures.bytes(file))
        } catch let error as ImageError {
            #expect(error.code == .tooLarge)
        }
    }

    @Test("a 20000x20000 PNG header is refused before decoding")
    func pngBomb() throws {
        var bytes = try ImageFixtures.bytes("rgb.png")
        // IHDR data starts at byte 16: width, height big-endian. CRC is now wrong, so fix it.
        let size: [UInt8] = [0, 0, 0x4E, 0x20]
        bytes.replaceSubrange(16..<20, with: size)
        bytes.replaceSubrange(20..<24, with: size)
        let crc = crc32(Array(bytes[12..<29]))
        bytes.replaceSubrange(29..<33, with: [UInt8(crc >> 24), UInt8((crc >> 16) & 0xFF), UInt8((crc >> 8) & 0xFF), UInt8(crc & 0xFF)])
        let error = #expect(throws: ImageError.self) { try ImageDecoder().decode(bytes) }
        #expect(error?.code == .tooLarge)
    }

    @Test("a 60000x60000 JPEG header is refused before decoding")
    func jpegBomb() throws {
        var bytes = try ImageFixtures.bytes("rgb.jpg")
        // Find SOF0/SOF2 and patch height and width.
        var i = 2
        while i + 9 < bytes.count {
            if bytes[i] == 0xFF, bytes[i + 1] == 0xC0 || bytes[i + 1] == 0xC2 {
                bytes.replaceSubrange((i + 5)..<(i + 9), with: [0xEA, 0x60, 0xEA, 0x60])
                break
            }
            i += 1
        }
        let error = #expect(throws: ImageError.self) { try ImageDecoder().decode(bytes) }
        #expect(error?.code == .tooLarge)
    }

    @Test("empty, unknown and truncated inputs give stable codes")
    func stableCodes() throws {
        #expect((#expect(throws: ImageError.self) { try ImageDecoder().decode([]) })?.code == .empty)
        #expect((#expect(throws: ImageError.self) { try ImageDecoder().decode(Array("GIF89a".utf8)) })?.code == .unknownFormat)
        for file in ["rgb.jpg", "rgb.png"] {
            let bytes = try ImageFixtures.bytes(file)
            let truncated = Array(bytes.prefix(bytes.count / 2))
            #expect((#expect(throws: ImageError.self) { try ImageDecoder().decode(truncated) })?.code == .corrupt)
        }
    }

    @Test("mutated and truncated bytes never crash", arguments: ["rgb.jpg", "progressive.jpg", "cmyk.jpg", "orientation-6.jpg", "orientation-6.png", "rgb.png", "palette.png", "rgb16.png", "rgba.png"])
    func fuzz(file: String) throws {
        let original = try ImageFixtures.bytes(file)
        var rng = SplitMix64(seed: 0xFACE + UInt64(original.count))
        var decoded = 0, rejected = 0
        for round in 0..<300 {
            var bytes = original
            switch round % 4 {
            case 0:  // flip a few random bytes
                for _ in 0..<Int.random(in: 1...8, using: &rng) {
                    bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                }
            case 1:  // truncate
                bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &rng)))
            case 2:  // insert random bytes
                let at = Int.random(in: 0..<bytes.count, using: &rng)
                bytes.insert(contentsOf: (0..<Int.random(in: 1...32, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }, at: at)
            default:  // overwrite a header byte (marker lengths, IHDR fields, EXIF)
                let at = Int.random(in: 0..<min(bytes.count, 120), using: &rng)
                bytes[at] = [0x00, 0xFF, 0x7F, 0x80, 0x01][Int.random(in: 0..<5, using: &rng)]
            }
            do {
                let image = try ImageDecoder().decode(bytes)
                #expect(image.pixels.count == image.width * image.height * image.format.channels)
                decoded += 1
            } catch let error as ImageError {
                #expect(!error.message.isEmpty)
                rejected += 1
            }
        }
        #expect(decoded + rejected == 300)
        #expect(rejected > 0)
    }

    private func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}

@Suite("RawPixels")
struct RawPixelsTests {
    @Test("layouts and stride", arguments: RawPixels.Layout.allCases)
    func layouts(layout: RawPixels.Layout) throws {
        let width = 3, height = 2, stride = width * layout.bytesPerPixel + 5
        var bytes = [UInt8](repeating: 0xEE, count: stride * height)
        for y in 0..<height {
            for x in 0..<width {
                let (r, g, b) = (UInt8(10 * x + y), UInt8(100 + x), UInt8(200 + y))
                let at = y * stride + x * layout.bytesPerPixel
                switch layout {
                case .gray: bytes[at] = r
                case .rgb: bytes.replaceSubrange(at..<(at + 3), with: [r, g, b])
                case .bgr: bytes.replaceSubrange(at..<(at + 3), with: [b, g, r])
                case .rgba: bytes.replaceSubrange(at..<(at + 4), with: [r, g, b, 7])
                case .bgra: bytes.replaceSubrange(at..<(at + 4), with: [b, g, r, 7])
                }
            }
        }
        let image = try RawPixels(width: width, height: height, layout: layout, rowStride: stride, bytes: bytes).image()
        #expect(image.width == 3 && image.height == 2)
        if layout == .gray {
            #expect(image.pixels == [0, 10, 20, 1, 11, 21])
        } else {
            #expect(Array(image.pixels[(3 * 4)..<(3 * 5)]) == [11, 101, 201])  // (x=1, y=1)
        }
    }

    @Test("bad geometry is rejected")
    func badGeometry() {
        let cases: [RawPixels] = [
            RawPixels(width: 0, height: 1, layout: .rgb, bytes: []),
            RawPixels(width: 2, height: 2, layout: .rgb, bytes: [UInt8](repeating: 0, count: 11)),
            RawPixels(width: 2, height: 2, layout: .rgb, rowStride: 5, bytes: [UInt8](repeating: 0, count: 100)),
            RawPixels(width: -3, height: -3, layout: .gray, bytes: [UInt8](repeating: 0, count: 9)),
        ]
        for raw in cases {
            #expect((#expect(throws: ImageError.self) { try raw.image() })?.code == .invalidGeometry)
        }
        #expect((#expect(throws: ImageError.self) {
            try RawPixels(width: 100, height: 100, layout: .gray, bytes: [UInt8](repeating: 0, count: 10000)).image(maxPixels: 9999)
        })?.code == .tooLarge)
    }
}

@Suite("SHA256")
struct SHA256Tests {
    @Test("known digests", arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (String(repeating: "a", count: 1000), "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3"),
    ])
    func known(input: String, digest: String) {
        #expect(SHA256.hex(of: Array(input.utf8)) == digest)
        var chunked = SHA256()
        for chunk in Array(input.utf8).chunked(into: 7) { chunked.update(chunk) }
        #expect(chunked.finalizeHex() == digest)
    }
}

extension Array {
    func chunked(into size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
