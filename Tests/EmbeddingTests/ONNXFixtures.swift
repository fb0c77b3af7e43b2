import Foundation
import Testing

@testable import Embedding

/// Generated ONNX graphs and onnxruntime outputs (Fixtures/make_onnx_fixtures.py), made once per
/// test process in a temporary directory with the repository's `.venv` python.
enum ONNXFixtures {
    struct Entry: Decodable {
        let name: String
        let input: [Int]
        let batches: [Int]
        let output: Int
    }

    /// The real trained model: an optional tier, used only when present.
    static let realModelPath = "/work/shared/models/mobilefacenet_foamliu.onnx"
    static var realModelPresent: Bool { FileManager.default.fileExists(atPath: realModelPath) }

    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Directory with the generated files, or the error of generating them.
    static let directory: Result<URL, Error> = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("facegate-onnx-fixtures-\(getpid())")
        let python = repoRoot.appendingPathComponent(".venv/bin/python").path
        var args = [repoRoot.appendingPathComponent("Tests/EmbeddingTests/Fixtures/make_onnx_fixtures.py").path, dir.path]
        if realModelPresent { args += ["--real", realModelPath] }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = args
        let err = Pipe()
        p.standardError = err
        do {
            try p.run()
            let msg = err.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            guard p.terminationStatus == 0 else {
                return .failure(EngineError(.fileUnreadable, "fixture script failed: \(String(decoding: msg, as: UTF8.self))"))
            }
        } catch {
            return .failure(error)
        }
        return .success(dir)
    }()

    static func manifest() throws -> [String: Entry] {
        let dir = try directory.get()
        let entries = try JSONDecoder().decode([Entry].self, from: Data(contentsOf: dir.appendingPathComponent("manifest.json")))
        return Dictionary(uniqueKeysWithValues: entries.map { ($0.name, $0) })
    }

    static func floats(_ file: String) throws -> [Float] {
        let data = try Data(contentsOf: try directory.get().appendingPathComponent(file))
        return data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }

    static func path(_ name: String) throws -> String {
        try directory.get().appendingPathComponent("\(name).onnx").path
    }
}

/// Max |a - b| after L2-normalising each row of `dim` floats.
func maxNormalizedDifference(_ a: [Float], _ b: [Float], dim: Int) -> Float {
    precondition(a.count == b.count && a.count % dim == 0)
    var worst: Float = 0
    for r in 0..<(a.count / dim) {
        let ra = a[(r * dim)..<((r + 1) * dim)], rb = b[(r * dim)..<((r + 1) * dim)]
        let na = ra.reduce(0) { $0 + $1 * $1 }.squareRoot(), nb = rb.reduce(0) { $0 + $1 * $1 }.squareRoot()
        for (x, y) in zip(ra, rb) { worst = max(worst, abs(x / na - y / nb)) }
    }
    return worst
}
