import Foundation

/// The committed dlib reference values (Tests/Fixtures/dlib/references.json).
struct DlibReferences: Decodable {
    struct Face: Decodable {
        var box: [Int]
        var landmarks: [[Int]]
        var chip: String
        var chip_descriptor: [Float]
        var descriptor: [Float]
    }
    struct Image: Decodable {
        var file: String
        var sha256: String
        var width: Int
        var height: Int
        var faces: [Face]
    }
    struct Noise: Decodable {
        var seed: Int
        var descriptor: [Float]
    }
    struct Perturbed: Decodable {
        var file: String
        var box: [Int]
        var landmarks: [[Int]]
    }
    var dlib_version: String
    var images: [Image]
    var noise_chips: [Noise]
    var perturbed_boxes: [Perturbed]

    static let shared: DlibReferences = {
        let url = ImageFixtures.dlibDirectory.appendingPathComponent("references.json")
        // Committed file; a decoding failure is a broken checkout.
        return try! JSONDecoder().decode(DlibReferences.self, from: Data(contentsOf: url))
    }()

    /// 150x150x3 bytes from the 31-bit LCG of scripts/make-dlib-references.py.
    static func noiseChip(seed: Int) -> [UInt8] {
        var x = UInt64(seed)
        return (0..<(150 * 150 * 3)).map { _ in
            x = (x &* 1_103_515_245 &+ 12345) % (1 << 31)
            return UInt8((x >> 16) & 255)
        }
    }
}
