import Foundation
@testable import Embedding

/// Locates the real dlib model files for the optional tiers of the dlib tests.
///
/// Looked up in `$FACEGATE_CACHE`, `~/.cache/facegate`, then `<repo>/.cache/models` (where
/// scripts/fetch-test-data.sh puts them). Tests that need them say so when they are absent.
enum DlibModelFiles {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func find(_ file: PinnedModelFile) -> URL? {
        var folders: [URL] = []
        if let env = ProcessInfo.processInfo.environment["FACEGATE_CACHE"], !env.isEmpty {
            folders.append(URL(fileURLWithPath: env))
        }
        folders.append(FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/facegate"))
        folders.append(repositoryRoot.appendingPathComponent(".cache/models"))
        for folder in folders {
            let url = folder.appendingPathComponent(file.fileName)
            if FileManager.default.fileExists(atPath: url.path) { return url }
        }
        return nil
    }

    static let resnet = find(.dlibResNet)
    static let shapePredictor = find(.dlibShapePredictor5)

    /// The parsed ResNet, read once per test process.
    static let network: DlibNetwork? = resnet.flatMap { try? DlibNetwork.read(contentsOf: $0) }

    /// Test-data images (face_recognition 1.3.0 sdist) from scripts/fetch-test-data.sh.
    static let testImages = repositoryRoot.appendingPathComponent(".cache/testdata/test_images")
}
