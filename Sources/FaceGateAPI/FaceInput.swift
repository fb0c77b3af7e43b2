import CFaceGateProto

/// Limits applied while decoding requests (explicit so that the server can configure them).
public enum APILimits {
    /// The longest accepted `request_id`, in UTF-8 bytes.
    public static let maxRequestIDBytes = 128
    /// The longest accepted display name or metadata value, in UTF-8 bytes.
    public static let maxNameBytes = 256
    /// The most metadata entries on one identity.
    public static let maxMetadataEntries = 64
}

/// A point in source-image pixels.
public struct APIPoint: Sendable, Equatable, ProtoCMessage {
    /// Horizontal position, pixels.
    public var x: Float
    /// Vertical position, pixels.
    public var y: Float

    /// Creates a point.
    public init(x: Float, y: Float) {
        self.x = x
        self.y = y
    }

    public static let cInit = facegate__v1__point__init

    public init(c: Facegate__V1__Point) throws(FaceGateAPIError) {
        guard c.x.isFinite, c.y.isFinite else {
            throw FaceGateAPIError(.invalidArgument, "a landmark coordinate is not a finite number")
        }
        self.init(x: c.x, y: c.y)
    }

    public func fill(_ c: inout Facegate__V1__Point, arena: ProtoArena) {
        c.x = x
        c.y = y
    }
}

/// An axis-aligned face box in source-image pixels.
public struct FaceBox: Sendable, Equatable, ProtoCMessage {
    /// Left edge, pixels.
    public var x: Float
    /// Top edge, pixels.
    public var y: Float
    /// Width, pixels (> 0).
    public var width: Float
    /// Height, pixels (> 0).
    public var height: Float

    /// Creates a box.
    public init(x: Float, y: Float, width: Float, height: Float) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    public static let cInit = facegate__v1__box__init

    public init(c: Facegate__V1__Box) throws(FaceGateAPIError) {
        guard [c.x, c.y, c.width, c.height].allSatisfy(\.isFinite), c.width > 0, c.height > 0 else {
            throw FaceGateAPIError(.invalidArgument, "face box must have finite coordinates and a positive size")
        }
        self.init(x: c.x, y: c.y, width: c.width, height: c.height)
    }

    public func fill(_ c: inout Facegate__V1__Box, arena: ProtoArena) {
        c.x = x
        c.y = y
        c.width = width
        c.height = height
    }
}

/// Uncompressed pixels as sent by a client.
public struct RawPixels: Sendable, Equatable, ProtoCMessage {
    /// Pixel layout.
    public enum Format: Int, Sendable, CaseIterable {
        case rgb8 = 1, bgr8 = 2, gray8 = 3, rgba8 = 4, bgra8 = 5

        /// Bytes per pixel.
        public var bytesPerPixel: Int {
            switch self {
            case .rgb8, .bgr8: 3
            case .gray8: 1
            case .rgba8, .bgra8: 4
            }
        }
    }

    /// Width, pixels.
    public var width: Int
    /// Height, pixels.
    public var height: Int
    /// Pixel layout.
    public var format: Format
    /// Row-major bytes, top row first.
    public var pixels: [UInt8]
    /// Bytes from one row to the next (>= width * bytesPerPixel).
    public var rowStrideBytes: Int

    /// Creates raw pixels; `rowStrideBytes` defaults to tightly packed rows.
    public init(width: Int, height: Int, format: Format, pixels: [UInt8], rowStrideBytes: Int? = nil) {
        self.width = width
        self.height = height
        self.format = format
        self.pixels = pixels
        self.rowStrideBytes = rowStrideBytes ?? width * format.bytesPerPixel
    }

    public static let cInit = facegate__v1__raw_image__init

    public init(c: Facegate__V1__RawImage) throws(FaceGateAPIError) {
        guard let format = Format(rawValue: Int(c.format.rawValue)) else {
            throw FaceGateAPIError(.invalidArgument, "raw.format must be one of RGB8, BGR8, GRAY8, RGBA8, BGRA8")
        }
        let width = Int(c.width)
        let height = Int(c.height)
        guard width > 0, height > 0 else {
            throw FaceGateAPIError(.invalidArgument, "raw image must have a positive width and height")
        }
        let stride = c.row_stride_bytes == 0 ? width * format.bytesPerPixel : Int(c.row_stride_bytes)
        guard stride >= width * format.bytesPerPixel else {
            throw FaceGateAPIError(.invalidArgument, "raw.row_stride_bytes \(stride) is less than one row (\(width * format.bytesPerPixel))")
        }
        let needed = stride * (height - 1) + width * format.bytesPerPixel
        guard c.pixels.len >= needed else {
            throw FaceGateAPIError(
                .invalidArgument, "raw.pixels has \(c.pixels.len) bytes; \(width)x\(height) \(format) needs \(needed)")
        }
        self.init(width: width, height: height, format: format, pixels: ProtoRead.bytes(c.pixels), rowStrideBytes: stride)
    }

    public func fill(_ c: inout Facegate__V1__RawImage, arena: ProtoArena) {
        c.width = UInt32(clamping: width)
        c.height = UInt32(clamping: height)
        c.format = Facegate__V1__PixelFormat(rawValue: UInt32(format.rawValue))
        c.pixels = arena.bytes(pixels)
        c.row_stride_bytes = UInt32(clamping: rowStrideBytes)
    }
}

/// One face to process: an image, optionally a box and five landmarks.
public struct FaceInput: Sendable, Equatable, ProtoCMessage {
    /// The image the face is in.
    public enum Image: Sendable, Equatable {
        /// JPEG or PNG file bytes.
        case encoded([UInt8])
        /// Uncompressed pixels.
        case raw(RawPixels)
    }

    /// The image.
    public var image: Image
    /// Where the face is, when the client knows.
    public var box: FaceBox?
    /// Exactly five points (eye centres, nose tip, mouth corners; image-left first) or nil.
    public var landmarks: [APIPoint]?

    /// Creates a face input.
    public init(image: Image, box: FaceBox? = nil, landmarks: [APIPoint]? = nil) {
        self.image = image
        self.box = box
        self.landmarks = landmarks
    }

    public static let cInit = facegate__v1__face__init

    public init(c: Facegate__V1__Face) throws(FaceGateAPIError) {
        switch c.image_case {
        case FACEGATE__V1__FACE__IMAGE_ENCODED:
            let bytes = ProtoRead.bytes(c.encoded)
            guard !bytes.isEmpty else { throw FaceGateAPIError(.invalidArgument, "face.encoded is empty") }
            image = .encoded(bytes)
        case FACEGATE__V1__FACE__IMAGE_RAW:
            guard let raw = c.raw else { throw FaceGateAPIError(.invalidArgument, "face.raw is empty") }
            image = .raw(try RawPixels(c: raw.pointee))
        default:
            throw FaceGateAPIError(.invalidArgument, "face has no image: set face.encoded or face.raw")
        }
        box = try ProtoRead.optional(c.box, as: FaceBox.self)
        let points = try ProtoRead.repeated(c.n_landmarks, c.landmarks, as: APIPoint.self)
        guard points.isEmpty || points.count == 5 else {
            throw FaceGateAPIError(.invalidArgument, "face.landmarks must have 0 or 5 points, got \(points.count)")
        }
        landmarks = points.isEmpty ? nil : points
    }

    public func fill(_ c: inout Facegate__V1__Face, arena: ProtoArena) {
        switch image {
        case .encoded(let bytes):
            c.image_case = FACEGATE__V1__FACE__IMAGE_ENCODED
            c.encoded = arena.bytes(bytes)
        case .raw(let raw):
            c.image_case = FACEGATE__V1__FACE__IMAGE_RAW
            c.raw = arena.nested(raw)
        }
        if let box { c.box = arena.nested(box) }
        (c.n_landmarks, c.landmarks) = arena.repeated(landmarks ?? [])
    }
}

/// Reads a required `Face` submessage.
func requiredFace(_ pointer: UnsafeMutablePointer<Facegate__V1__Face>?) throws(FaceGateAPIError) -> FaceInput {
    guard let pointer else { throw FaceGateAPIError(.invalidArgument, "the request has no face") }
    return try FaceInput(c: pointer.pointee)
}

/// Reads a `request_id`, bounded by `APILimits.maxRequestIDBytes`.
func readRequestID(_ pointer: UnsafeMutablePointer<CChar>?) throws(FaceGateAPIError) -> String {
    try ProtoRead.string(pointer, field: "request_id", maxBytes: APILimits.maxRequestIDBytes)
}
