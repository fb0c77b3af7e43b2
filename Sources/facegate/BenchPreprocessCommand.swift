import ArgumentParser
import Embedding
import Foundation
import Logging

/// `facegate bench preprocess`: decode + landmarks + align per face, one core.
struct BenchPreprocessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preprocess",
        abstract: "Time JPEG decode, 5-point landmarks and the 150x150 dlib chip per face (one thread).",
        discussion: """
            Runs over JPEG files of DIR (recursively, up to --limit files), --rounds times, and prints
            medians per stage in microseconds plus each stage's ratio to the decode time measured in
            the same run (the libjpeg-turbo reference). The face box is the crop box (CropBox).
            """
    )

    @Option(name: .long, help: "Folder of JPEG face crops (default: ../shared/datasets/lfw-dev).")
    var data: String = "../shared/datasets/lfw-dev"

    @Option(name: .long, help: "Model cache folder (default: $FACEGATE_CACHE or ~/.cache/facegate).")
    var cache: String?

    @Option(name: .long, help: "Number of files.")
    var limit: Int = 200

    @Option(name: .long, help: "Passes over the files.")
    var rounds: Int = 5

    @Flag(name: .long, help: "Print one JSON object on the last line.")
    var json = false

    func run() throws {
        var files: [String] = []
        if let walker = FileManager.default.enumerator(atPath: data) {
            for case let path as String in walker where path.lowercased().hasSuffix(".jpg") {
                files.append((data as NSString).appendingPathComponent(path))
            }
        }
        files = Array(files.sorted().prefix(limit))
        guard !files.isEmpty else { throw ValidationError("no .jpg files under \(data)") }
        let blobs = files.compactMap { FileManager.default.contents(atPath: $0).map { [UInt8]($0) } }
        var logger = Logger(label: "facegate.bench")
        logger.logLevel = .warning
        let config = ModelCache.Config(directory: cache.map { URL(fileURLWithPath: $0, isDirectory: true) })
        let paths = try ModelCache(config: config, logger: logger).fetch()
        let predictor = try ShapePredictor.read(contentsOf: paths[1])
        let decoder = ImageDecoder()
        let cropBox = CropBox()
        let chip = DlibFaceChip()
        var decode: [Double] = [], landmarks: [Double] = [], align: [Double] = [], total: [Double] = []
        var checksum = 0
        for _ in 0..<rounds {
            for blob in blobs {
                let t0 = ContinuousClock.now
                guard let image = try? decoder.decode(blob) else { continue }
                let t1 = ContinuousClock.now
                let points = predictor.predict(in: image, box: cropBox.box(width: image.width, height: image.height))
                let t2 = ContinuousClock.now
                let face = chip.extract(from: image, landmarks: points)
                let t3 = ContinuousClock.now
                checksum &+= Int(face.pixels[11_325])
                decode.append(us(t0, t1)); landmarks.append(us(t1, t2)); align.append(us(t2, t3)); total.append(us(t0, t3))
            }
        }
        let md = median(decode), ml = median(landmarks), ma = median(align), mt = median(total)
        print("faces: \(decode.count) (\(blobs.count) files x \(rounds) rounds), one thread; checksum \(checksum)")
        print(String(format: "decode      %8.1f us  (1.00x decode)", md))
        print(String(format: "landmarks   %8.1f us  (%.2fx decode; 15 cascades x (800 pixels + 500 trees))", ml, ml / md))
        print(String(format: "chip 150    %8.1f us  (%.2fx decode)", ma, ma / md))
        print(String(format: "total       %8.1f us  (%.2fx decode)  target < 1000 us", mt, mt / md))
        if json {
            print("{\"bench\":\"preprocess\",\"faces\":\(decode.count),\"decode_us\":\(md),\"landmarks_us\":\(ml),\"chip_us\":\(ma),\"total_us\":\(mt)}")
        }
    }

    private func us(_ a: ContinuousClock.Instant, _ b: ContinuousClock.Instant) -> Double {
        let c = a.duration(to: b).components
        return Double(c.seconds) * 1e6 + Double(c.attoseconds) / 1e12
    }

    private func median(_ v: [Double]) -> Double {
        let s = v.sorted()
        return s.isEmpty ? 0 : s[s.count / 2]
    }
}
