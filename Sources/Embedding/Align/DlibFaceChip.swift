#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// dlib's face chip: `get_face_chip_details(shape, size, padding)` + `extract_image_chip`.
///
/// Reproduces dlib's geometry exactly: the 5-point template with padding, the similarity fit,
/// `centered_drect`, the `pyramid_down<2>` levels used when the face is much larger than the
/// chip (built on the same cropped bounding box as dlib), bilinear sampling in double with a
/// black background outside the sampled image, and truncation to 8 bits.
public struct DlibFaceChip: Sendable {
    /// Chip geometry parameters.
    public struct Config: Sendable, Equatable {
        /// Chip side in pixels (dlib's ResNet needs 150).
        public var size: Int = 150
        /// Border around the template, as a fraction of the face (dlib's default for the ResNet: 0.25).
        public var padding: Double = 0.25

        /// The defaults.
        public init() {}
    }

    /// Where the chip lies in the source image (dlib's `chip_details`).
    public struct Details: Sendable, Equatable {
        /// Left, top, right, bottom of the (unrotated) chip rectangle, pixels.
        public var rect: (Double, Double, Double, Double)
        /// Rotation, radians.
        public var angle: Double
        /// Output rows and columns.
        public var size: Int

        /// Field-wise equality (tuples are not Equatable).
        public static func == (a: Details, b: Details) -> Bool {
            a.rect == b.rect && a.angle == b.angle && a.size == b.size
        }
    }

    /// dlib's mean 5-point face (its landmark order), normalised to [0, 1].
    static let template: [(Double, Double)] = [
        (0.8595674595992, 0.2134981538014), (0.6460604764104, 0.2289674387677),
        (0.1205750620789, 0.2137274526848), (0.3340850613712, 0.2290642403242),
        (0.4901123135679, 0.6277975316475),
    ]

    /// Geometry parameters.
    public var config: Config

    /// Creates a chip extractor.
    public init(config: Config = Config()) {
        self.config = config
    }

    /// The chip rectangle and angle for dlib's 5 landmarks (dlib order).
    public func details(landmarks: [Point2]) -> Details {
        let size = Double(config.size), pad = config.padding
        let from = DlibFaceChip.template.map { ((pad + $0.0) / (2 * pad + 1) * size, (pad + $0.1) / (2 * pad + 1) * size) }
        let to = landmarks.prefix(5).map { (Double($0.x), Double($0.y)) }
        let s = AffineTransform2D.similarity(from: from, to: Array(to))
        let px = s.m.0, py = s.m.2  // M * (1, 0)
        let angle = atan2(py, px)
        let scale = (px * px + py * py).squareRoot()
        let centre = s.apply(Double(config.size) / 2, Double(config.size) / 2)
        let w = size * scale - 1  // centered_drect decrements the size
        return Details(rect: (centre.0 - w / 2, centre.1 - w / 2, centre.0 + w / 2, centre.1 + w / 2),
                       angle: angle, size: config.size)
    }

    /// The `size x size` RGB chip for dlib's 5 landmarks (dlib order); grey images are expanded.
    public func extract(from image: PixelImage, landmarks: [Point2]) -> PixelImage {
        extract(from: image, details: details(landmarks: landmarks))
    }

    /// The chip for precomputed details.
    public func extract(from source: PixelImage, details d: Details) -> PixelImage {
        let image = source.rgb()
        let chipSize = d.size
        let area = Double(chipSize * chipSize)
        var rect = DRect(d.rect)
        // Pyramid depth and the border it needs (dlib: grow = 2, then grow*2+2 per level).
        var down = rect.down()
        var depth = 0
        var grow = 2.0
        while down.area > area {
            down = down.down()
            depth += 1
            grow = grow * 2 + 2
        }
        let centre = rect.centre
        var rotated = DRect.empty
        for corner in rect.corners { rotated = rotated.union(rotate(corner, around: centre, by: d.angle)) }
        let imageRect = DRect(0, 0, Double(image.width - 1), Double(image.height - 1))
        let box = rotated.grown(by: grow).intersect(imageRect).rounded()
        var output = PixelImage(width: chipSize, height: chipSize, format: .rgb)
        if d.angle == 0, Double(chipSize) == rect.height, Double(chipSize) == rect.width {
            let r = rect.rounded()
            copyWithoutScaling(image, from: r, into: &output)
            return output
        }
        guard !box.isEmpty else { return output }
        var level = crop(image, box)
        rect = rect.translated(-box.l, -box.t)
        while rect.down().area > area {
            guard let smaller = ImagePyramid.down(level) else { return output }  // too small: black chip like dlib
            level = smaller
            rect = rect.down()
        }
        let c = rect.centre
        let tl = rotate((rect.l, rect.t), around: c, by: d.angle)
        let tr = rotate((rect.r, rect.t), around: c, by: d.angle)
        let bl = rotate((rect.l, rect.b), around: c, by: d.angle)
        let last = Double(chipSize - 1)
        guard let map = AffineTransform2D.affine(from: [(0, 0), (last, 0), (0, last)], to: [tl, tr, bl]) else {
            return output
        }
        BilinearSampler.sample(level, map: map, into: &output)
        return output
    }

    private func rotate(_ p: (Double, Double), around c: (Double, Double), by angle: Double) -> (Double, Double) {
        let cs = cos(angle), sn = sin(angle)
        let x = p.0 - c.0, y = p.1 - c.1
        return (cs * x - sn * y + c.0, sn * x + cs * y + c.1)
    }

    private func crop(_ image: PixelImage, _ box: IRect) -> PixelImage {
        let w = box.r - box.l + 1, h = box.b - box.t + 1
        var pixels = [UInt8](repeating: 0, count: w * h * 3)
        image.pixels.withUnsafeBufferPointer { src in
            pixels.withUnsafeMutableBufferPointer { dst in
                for y in 0..<h {
                    let from = ((box.t + y) * image.width + box.l) * 3
                    UnsafeMutableRawPointer(dst.baseAddress! + y * w * 3)
                        .copyMemory(from: src.baseAddress! + from, byteCount: w * 3)
                }
            }
        }
        return PixelImage(validatedWidth: w, height: h, format: .rgb, pixels: pixels)
    }

    private func copyWithoutScaling(_ image: PixelImage, from r: IRect, into out: inout PixelImage) {
        for y in 0..<out.height {
            for x in 0..<out.width {
                let sx = r.l + x, sy = r.t + y
                guard sx >= 0, sy >= 0, sx < image.width, sy < image.height else { continue }
                for c in 0..<3 { out.pixels[(y * out.width + x) * 3 + c] = image.pixels[(sy * image.width + sx) * 3 + c] }
            }
        }
    }
}
