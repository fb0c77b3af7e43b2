import Foundation
import Testing
@testable import Embedding

/// Parity of our reader + the naive reference forward with dlib's `compute_face_descriptor`
/// (committed references): checks the reader independently of the engine. The naive forward
/// takes seconds per chip in debug builds, so it runs on one noise chip and two face chips; the
/// engine path is checked on all of them in FaceModelPipelineTests.
/// Needs the model file (scripts/fetch-test-data.sh or `facegate model fetch`).
@Suite("dlib descriptor parity", .enabled(if: DlibModelFiles.network != nil,
                                           "SKIPPED: dlib model not found; run scripts/fetch-test-data.sh"))
struct DlibDescriptorParityTests {
    @Test("noise chips: reference forward within 1e-4 of dlib", arguments: [1])
    func noiseChip(seed: Int) throws {
        let network = try #require(DlibModelFiles.network)
        let expected = try #require(DlibReferences.shared.noise_chips.first { $0.seed == seed }).descriptor
        let ours = DlibReferenceForward(network: network).descriptor(chip: DlibReferences.noiseChip(seed: seed))
        let worst = zip(ours, expected).map { abs($0 - $1) }.max() ?? .infinity
        #expect(ours.count == 128)
        #expect(worst < 1e-4, "max abs diff \(worst)")
    }

    @Test("dlib's own chips: reference forward within 1e-4 of dlib",
          arguments: ["obama-0.chip.png", "32bit-0.chip.png"])
    func faceChip(chip: String) throws {
        let network = try #require(DlibModelFiles.network)
        let face = try #require(DlibReferences.shared.images.flatMap(\.faces).first { $0.chip == chip })
        let bytes = [UInt8](try Data(contentsOf: ImageFixtures.dlibDirectory.appendingPathComponent(chip)))
        let image = try ImageDecoder().decode(bytes)
        #expect(image.width == 150 && image.height == 150 && image.format == .rgb)
        let ours = DlibReferenceForward(network: network).descriptor(chip: image.pixels)
        let worst = zip(ours, face.chip_descriptor).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst < 1e-4, "max abs diff \(worst)")
    }
}
