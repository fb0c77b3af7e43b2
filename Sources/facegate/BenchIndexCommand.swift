import ArgumentParser
import GalleryIndex
#if canImport(Glibc)
import Glibc
#endif

/// `facegate bench index`: gallery search speed, accuracy and memory of `FlatIndex` and
/// `SequentialIndex` (exact and ratio pruning) on synthetic galleries with real-embedding PCA
/// spectra (and isotropic noise), or on real embeddings with `--vectors`. Prints one table row
/// per method and configuration; with `--json`, one JSON object on the last line. With
/// `--export DIR` it writes each gallery and its queries as raw float32 files for
/// `scripts/bench-index-faiss.py`, which runs FAISS `IndexFlatL2` on them and prints ratios.
struct BenchIndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Benchmark the gallery indexes (ms/query p50/p99, accuracy vs exact, memory)."
    )

    @Option(help: "Gallery sizes in identities, comma-separated (100000 is the big size).")
    var identities: String = "1000,10000"
    @Option(help: "Faces per identity.")
    var faces: Int = 5
    @Option(help: "Embedding dimensions, comma-separated.")
    var dims: String = "128,512"
    @Option(help: "Spectra: dlib, mfn, iso (comma-separated).")
    var spectra: String = "dlib,mfn,iso"
    @Option(help: "Target rank-1 accuracy used to calibrate the within/between identity noise.")
    var accuracy: Double = 0.965
    @Option(help: "Calibrate the noise on at most this many identities (accuracy falls on bigger galleries).")
    var calibrateCap: Int = 100_000
    @Option(help: "Single queries timed per configuration.")
    var queries: Int = 200
    @Option(help: "Batch size for batch search.")
    var batch: Int = 64
    @Option(help: "Batches timed per configuration.")
    var batches: Int = 4
    @Option(help: "Seed's ratio-rule deltas (ratios of partial plain distances), comma-separated.")
    var deltas: String = "1.5"
    @Option(help: "Expected-ratio deltas (ratios of expected full plain distances, see SequentialIndex.Pruning), comma-separated.")
    var expectedDeltas: String = "1.2,1.3"
    @Option(help: "Level widths, comma-separated (default: 32,32,64,... doubling).")
    var levels: String = ""
    @Option(help: "Real embeddings: little-endian float32 rows (with --vector-dim and --labels).")
    var vectors: String?
    @Option(help: "Dimension of the rows in --vectors.")
    var vectorDim: Int = 128
    @Option(help: "Identity label per row of --vectors, one per line. First row of a label is enrolled, the rest are probes.")
    var labels: String?
    @Option(help: "Real embedding sets: folders holding vectors.f32 and labels.txt (from `facegate bench index-embed`), comma-separated; benchmarked after the synthetic galleries. Missing folders are reported and skipped.")
    var real: String = ""
    @Option(help: "Write each gallery and its queries as raw float32 files in this folder (for the FAISS script).")
    var export: String?
    @Option(help: "Random seed.")
    var seed: UInt64 = 1
    @Flag(help: "Print one JSON object on the last line.")
    var json = false
    @Flag(help: "Also time the PCA eigen-solvers (LAPACK dsyevd vs the former Jacobi) at each dimension of --dims.")
    var solverTimes = false

    func run() throws {
        let widths = levels.split(separator: ",").compactMap { Int($0) }
        let deltaList = deltas.split(separator: ",").compactMap { Float($0) }.map { SequentialIndex.Pruning.ratio(delta: $0) }
            + expectedDeltas.split(separator: ",").compactMap { Float($0) }.map { SequentialIndex.Pruning.expectedRatio(delta: $0) }
        var results: [String] = []
        if solverTimes {
            for d in dims.split(separator: ",").compactMap({ Int($0) }) {
                let t = pcaSolverSeconds(dimension: d)
                print("eigen-solver d = \(d): LAPACK dsyevd \(fmtS(t.lapack)) s, Jacobi \(fmtS(t.jacobi)) s (\(fmtS(t.jacobi / max(t.lapack, 1e-9)))x)")
            }
        }
        print("config                         method        p50ms    p99ms   meanms  batch p50  batch p99  rank1%   agree%  read%   mem/raw  build_s")
        if let vectors {
            let set = try RealEmbeddings(vectorsPath: vectors, labelsPath: labels, dimension: vectorDim)
            let vectorDim = set.dimension
            results += try benchmark(name: "real-\(set.gallery.count / vectorDim)x\(vectorDim)", dimension: vectorDim,
                                     gallery: set.gallery, faceIDs: set.faces, identityIDs: set.identities,
                                     queries: set.queries, truth: set.truth, widths: widths, deltas: deltaList)
        } else if !real.isEmpty && identities.isEmpty {
            // Real sets only (below).
        } else {
            let spectrumOf: [String: SyntheticGallery.Spectrum] = ["dlib": .dlib, "mfn": .mobileFaceNet, "iso": .isotropic]
            for d in dims.split(separator: ",").compactMap({ Int($0) }) {
                for name in spectra.split(separator: ",").map(String.init) {
                    guard let spectrum = spectrumOf[name] else { throw ValidationError("unknown spectrum \(name)") }
                    for n in identities.split(separator: ",").compactMap({ Int($0) }) {
                        let noise = SyntheticGallery.calibrateNoise(identities: min(n, calibrateCap), facesPerIdentity: faces, dimension: d,
                                                                    spectrum: spectrum, targetAccuracy: accuracy, seed: seed)
                        let nq = max(queries, batch * batches)
                        let g = SyntheticGallery(identities: n, facesPerIdentity: faces, dimension: d, spectrum: spectrum,
                                                 noiseRatio: noise, queryCount: nq, seed: seed &+ 1)
                        results += try benchmark(name: "\(name)-\(n)x\(faces)x\(d)", dimension: d, gallery: g.vectors,
                                                 faceIDs: g.faces, identityIDs: g.identities, queries: g.queries,
                                                 truth: g.queryIdentities, widths: widths, deltas: deltaList,
                                                 extra: "\"noise\":\(noise)")
                    }
                }
            }
        }
        for folder in real.split(separator: ",").map(String.init) {
            let v = folder + "/vectors.f32", l = folder + "/labels.txt"
            guard access(v, R_OK) == 0, access(l, R_OK) == 0 else {
                print("skipped real set \(folder): no vectors.f32 + labels.txt there (make them with `facegate bench index-embed`)")
                continue
            }
            let set = try RealEmbeddings(vectorsPath: v, labelsPath: l, dimension: nil)
            let name = "real-" + (folder.split(separator: "/").last.map(String.init) ?? "set")
            results += try benchmark(name: "\(name)-\(set.faces.count)x\(set.dimension)", dimension: set.dimension,
                                     gallery: set.gallery, faceIDs: set.faces, identityIDs: set.identities,
                                     queries: set.queries, truth: set.truth, widths: widths, deltas: deltaList)
        }
        if json { print("{\"bench\":\"index\",\"results\":[\(results.joined(separator: ","))]}") }
    }

    private func benchmark(name: String, dimension d: Int, gallery: [Float], faceIDs: [FaceID], identityIDs: [IdentityID],
                           queries: [Float], truth: [IdentityID], widths: [Int], deltas: [SequentialIndex.Pruning],
                           extra: String = "") throws -> [String] {
        let nq = truth.count
        let rawBytes = gallery.count * 4
        let t0 = now()
        let flat = try FlatIndex(dimension: d, vectors: gallery, faces: faceIDs, identities: identityIDs)
        let flatBuild = now() - t0
        var exports = ""
        if let export {
            let g = "\(export)/\(name).gallery.f32", q = "\(export)/\(name).queries.f32"
            try writeFloats(gallery, to: g)
            try writeFloats(queries, to: q)
            exports = ",\"gallery_file\":\"\(g)\",\"queries_file\":\"\(q)\",\"faces\":\(faceIDs.count)"
        }
        var rows: [String] = []
        // Exact oracle answers (batch path) for agreement figures.
        let oracle = try flat.search(batch: queries, topK: 1).map { $0.first?.identity }

        func measure(_ method: String, build: Double, memory: Int, single: (Int, inout SearchWork) throws -> [Candidate],
                     batchSearch: ([Float]) throws -> [[Candidate]]) throws {
            var times: [Double] = []
            var hits = 0, agree = 0
            var work = SearchWork()
            let singleCount = min(queries.count / d, self.queries)
            for i in 0..<singleCount {
                let t = now()
                let c = try single(i, &work)
                times.append(now() - t)
                if c.first?.identity == truth[i] { hits += 1 }
                if c.first?.identity == oracle[i] { agree += 1 }
            }
            var batchTimes: [Double] = []
            var b = 0
            while (b + 1) * batch <= nq && b < batches {
                let slice = Array(queries[b * batch * d ..< (b + 1) * batch * d])
                let t = now()
                _ = try batchSearch(slice)
                batchTimes.append((now() - t) / Double(batch))
                b += 1
            }
            let p = percentiles(times), pb = percentiles(batchTimes)
            let mean = times.isEmpty ? 0 : times.reduce(0, +) / Double(times.count) * 1000
            // p10: the least contended figure on a shared machine.
            let p10 = times.isEmpty ? 0 : times.sorted()[times.count / 10] * 1000
            let acc = 100 * Double(hits) / Double(max(singleCount, 1))
            let agr = 100 * Double(agree) / Double(max(singleCount, 1))
            let read = work.fullScan == 0 ? 100 : 100 * work.fraction
            let mem = Double(memory) / Double(rawBytes)
            print(pad(name, 30), pad(method, 12), fmt(p.0), fmt(p.1), fmt(mean), fmt(pb.0, 10), fmt(pb.1, 10), fmt(acc, 7, 2), fmt(agr, 8, 2),
                  fmt(read, 6, 1), fmt(mem, 8, 3), fmt(build, 8, 2))
            rows.append("{\"config\":\"\(name)\",\"method\":\"\(method)\",\"p50_ms\":\(p.0),\"p99_ms\":\(p.1),\"mean_ms\":\(mean),\"p10_ms\":\(p10),\"batch\":\(batch),\"batch_p50_ms_per_query\":\(pb.0),\"batch_p99_ms_per_query\":\(pb.1),\"rank1\":\(acc / 100),\"agree_exact\":\(agr / 100),\"read_fraction\":\(read / 100),\"memory_bytes\":\(memory),\"raw_bytes\":\(rawBytes),\"build_s\":\(build),\"queries\":\(singleCount)\(extra.isEmpty ? "" : "," + extra)\(exports)}")
        }

        try measure("flat", build: flatBuild, memory: flat.memoryBytes,
                    single: { i, _ in try flat.search(Array(queries[i * d ..< (i + 1) * d]), topK: 1) },
                    batchSearch: { try flat.search(batch: $0, topK: 1) })
        // One build: load unfitted, then the background refit path (PCA fit on up to 20k rows,
        // reconstruction and projection); the pruning rule is a search-time setting.
        let t = now()
        let unfitted = try SequentialIndex(dimension: d, config: .init(pruning: .exact, levelWidths: widths),
                                           vectors: gallery, faces: faceIDs, identities: identityIDs, fitBasis: false)
        let t1 = now()
        var seq = unfitted.refitted()
        let build = now() - t
        print("\(name): refit (PCA fit on \(seq.fittedRows) rows + reprojection) \(fmtS(now() - t1)) s; levels \(seq.levelWidths); "
            + "variance in level 1 \(fmtS(seq.varianceFraction(components: seq.levelWidths[0]) * 100))%")
        for pruning in [.exact] + deltas {
            try seq.setPruning(pruning)
            let index = seq
            try measure(pruning.description, build: build, memory: index.memoryBytes,
                        single: { i, w in try index.search(Array(queries[i * d ..< (i + 1) * d]), topK: 1, work: &w) },
                        batchSearch: { try index.search(batch: $0, topK: 1) })
        }
        return rows
    }
}

/// Real embeddings for `--vectors`: first row of each label enrolled, the rest are probes.
struct RealEmbeddings {
    var gallery: [Float] = []
    var faces: [FaceID] = []
    var identities: [IdentityID] = []
    var queries: [Float] = []
    var truth: [IdentityID] = []
    var dimension = 0

    /// `dimension` nil: inferred from the file size and the number of labels.
    init(vectorsPath: String, labelsPath: String?, dimension: Int?) throws {
        guard let labelsPath else { throw ValidationError("--vectors needs --labels") }
        let data = try readFloats(vectorsPath)
        guard let text = try? readText(labelsPath) else { throw ValidationError("cannot read \(labelsPath)") }
        let labels = text.split(separator: "\n").map(String.init)
        let d = dimension ?? (labels.isEmpty ? 0 : data.count / labels.count)
        self.dimension = d
        guard d > 0, data.count == labels.count * d else {
            throw ValidationError("\(vectorsPath): \(data.count) floats is not \(labels.count) labels x \(d)")
        }
        var idOf: [String: IdentityID] = [:]
        for (r, label) in labels.enumerated() {
            let row = Array(data[r * d ..< (r + 1) * d])
            if let id = idOf[label] {
                queries += row
                truth.append(id)
            } else {
                let id = IdentityID(idOf.count + 1)
                idOf[label] = id
                gallery += row
                faces.append(FaceID(r + 1))
                identities.append(id)
            }
        }
    }
}

/// `x` with 3 decimals, no padding.
func fmtS(_ x: Double) -> String { fmt(x, 0, 3) }

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// (p50, p99) in milliseconds of durations in seconds.
func percentiles(_ seconds: [Double]) -> (Double, Double) {
    guard !seconds.isEmpty else { return (0, 0) }
    let s = seconds.sorted()
    let at = { (q: Double) in s[min(s.count - 1, Int((q * Double(s.count - 1)).rounded()))] * 1000 }
    return (at(0.5), at(0.99))
}

func fmt(_ x: Double, _ width: Int = 8, _ decimals: Int = 3) -> String {
    var s = String(Int((x * pow10(decimals)).rounded()))
    let neg = s.hasPrefix("-")
    if neg { s.removeFirst() }
    while s.count <= decimals { s = "0" + s }
    let out = (neg ? "-" : "") + s.dropLast(decimals) + (decimals > 0 ? "." + s.suffix(decimals) : "")
    return pad(out, width, right: true)
}

private func pow10(_ n: Int) -> Double { (0..<n).reduce(1.0) { a, _ in a * 10 } }

func pad(_ s: String, _ width: Int, right: Bool = false) -> String {
    s.count >= width ? s : (right ? String(repeating: " ", count: width - s.count) + s : s + String(repeating: " ", count: width - s.count))
}

func writeFloats(_ v: [Float], to path: String) throws {
    guard let f = fopen(path, "wb") else { throw ValidationError("cannot write \(path)") }
    defer { fclose(f) }
    let n = v.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) }
    guard n == v.count * 4 else { throw ValidationError("short write to \(path)") }
}

func readFloats(_ path: String) throws -> [Float] {
    guard let f = fopen(path, "rb") else { throw ValidationError("cannot read \(path)") }
    defer { fclose(f) }
    fseek(f, 0, SEEK_END)
    let bytes = ftell(f)
    fseek(f, 0, SEEK_SET)
    guard bytes >= 0, bytes % 4 == 0 else { throw ValidationError("\(path): size \(bytes) is not a whole number of float32") }
    var v = [Float](repeating: 0, count: bytes / 4)
    let n = v.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, f) }
    guard n == bytes else { throw ValidationError("\(path): short read at offset \(n)") }
    return v
}

func readText(_ path: String) throws -> String {
    let bytes = try readBytes(path)
    return String(decoding: bytes, as: UTF8.self)
}

func readBytes(_ path: String) throws -> [UInt8] {
    guard let f = fopen(path, "rb") else { throw ValidationError("cannot read \(path)") }
    defer { fclose(f) }
    var out: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = buf.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, f) }
        if n <= 0 { break }
        out += buf[0..<n]
    }
    return out
}
