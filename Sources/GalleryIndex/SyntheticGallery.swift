#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A deterministic synthetic face gallery with a chosen PCA spectrum, for tests and benchmarks.
///
/// Identity centres and within-identity noise are Gaussian with per-component variances from
/// `Spectrum`; the noise is `noiseRatio` times the centre spread. Vectors are mixed by a random
/// orthogonal transform (a permutation and four Householder reflections, so PCA has real work to
/// do) and L2-normalised like real embeddings. Queries are fresh samples of random identities.
public struct SyntheticGallery: Sendable {
    /// A PCA variance profile: cumulative variance fractions at given component counts.
    public struct Spectrum: Sendable, Equatable {
        /// Short name used in benchmark output.
        public var name: String
        /// (components, cumulative fraction) knots, increasing; empty = isotropic.
        public var knots: [Knot]

        /// One knot of the cumulative variance curve.
        public struct Knot: Sendable, Equatable {
            /// Number of leading components.
            public var components: Int
            /// Fraction of the variance in them (0...1).
            public var fraction: Double
            /// Creates a knot.
            public init(_ components: Int, _ fraction: Double) {
                self.components = components
                self.fraction = fraction
            }
        }

        /// Creates a spectrum from knots.
        public init(name: String, knots: [Knot]) {
            self.name = name
            self.knots = knots
        }

        /// dlib ResNet on lfw-dev (DESIGN.md): 58% / 79% / 98% in the first 16 / 32 / 64 components.
        public static let dlib = Spectrum(name: "dlib", knots: [.init(16, 0.58), .init(32, 0.79), .init(64, 0.98)])
        /// MobileFaceNet on lfw-dev (DESIGN.md): 30% / 51% / 78%.
        public static let mobileFaceNet = Spectrum(name: "mfn", knots: [.init(16, 0.30), .init(32, 0.51), .init(64, 0.78)])
        /// Pure isotropic noise: the worst case for any pruning.
        public static let isotropic = Spectrum(name: "iso", knots: [])

        /// Per-component variances for `dimension` components (sum 1), uniform between knots.
        public func variances(dimension d: Int) -> [Double] {
            var pts = [(0, 0.0)] + knots.filter { $0.components < d }.map { ($0.components, $0.fraction) }
            pts.append((d, 1.0))
            var out = [Double](repeating: 0, count: d)
            for i in 1..<pts.count {
                let (a, fa) = pts[i - 1], (b, fb) = pts[i]
                guard b > a else { continue }
                for j in a..<b { out[j] = max(fb - fa, 0) / Double(b - a) }
            }
            let total = out.reduce(0, +)
            return out.map { $0 / total }
        }
    }

    /// Row-major `faces.count x dimension` L2-normalised vectors.
    public var vectors: [Float]
    /// Face id of each row (1-based, unique).
    public var faces: [FaceID]
    /// Identity of each row (1-based).
    public var identities: [IdentityID]
    /// Row-major query vectors.
    public var queries: [Float]
    /// True identity of each query.
    public var queryIdentities: [IdentityID]
    /// Vector length.
    public let dimension: Int

    /// Generates a gallery and `queryCount` queries.
    public init(identities n: Int, facesPerIdentity k: Int, dimension d: Int, spectrum: Spectrum,
                noiseRatio: Double, queryCount: Int, seed: UInt64) {
        dimension = d
        var rng = SplitMix64(seed: seed)
        let sd = spectrum.variances(dimension: d).map { $0.squareRoot() }
        let mix = OrthogonalMix(dimension: d, rng: &rng)
        vectors = [Float](repeating: 0, count: n * k * d)
        faces = (0..<(n * k)).map { FaceID($0 + 1) }
        identities = (0..<(n * k)).map { IdentityID($0 / k + 1) }
        queries = [Float](repeating: 0, count: queryCount * d)
        queryIdentities = []
        var centre = [Double](repeating: 0, count: d)
        var v = [Double](repeating: 0, count: d)
        // Query identities are drawn up front so each is generated with its centre.
        var wanted: [Int: [Int]] = [:]
        for q in 0..<queryCount {
            let id = Int(rng.next() % UInt64(max(n, 1)))
            wanted[id, default: []].append(q)
            queryIdentities.append(IdentityID(id + 1))
        }
        for c in 0..<n {
            for j in 0..<d { centre[j] = rng.gaussian() * sd[j] }
            let rows = (0..<k).map { (c * k + $0, false) } + (wanted[c] ?? []).map { ($0, true) }
            for (row, isQuery) in rows {
                for j in 0..<d { v[j] = centre[j] + noiseRatio * rng.gaussian() * sd[j] }
                mix.apply(&v)
                var norm = 0.0
                for x in v { norm += x * x }
                let inv = norm > 0 ? 1 / norm.squareRoot() : 0
                if isQuery {
                    for j in 0..<d { queries[row * d + j] = Float(v[j] * inv) }
                } else {
                    for j in 0..<d { vectors[row * d + j] = Float(v[j] * inv) }
                }
            }
        }
    }

    /// Finds the noise ratio giving `targetAccuracy` rank-1 accuracy (exact search) on a
    /// gallery of this shape, by bisection (deterministic).
    public static func calibrateNoise(identities n: Int, facesPerIdentity k: Int, dimension d: Int,
                                      spectrum: Spectrum, targetAccuracy: Double = 0.965,
                                      queries: Int = 400, seed: UInt64 = 7) -> Double {
        var lo = 0.05, hi = 3.0
        for _ in 0..<9 {
            let mid = (lo + hi) / 2
            let g = SyntheticGallery(identities: n, facesPerIdentity: k, dimension: d, spectrum: spectrum,
                                     noiseRatio: mid, queryCount: queries, seed: seed)
            if g.exactAccuracy() > targetAccuracy { lo = mid } else { hi = mid }
        }
        return (lo + hi) / 2
    }

    /// Rank-1 accuracy of exact search over this gallery's queries.
    public func exactAccuracy() -> Double {
        guard var flat = try? FlatIndex(dimension: dimension) else { return 0 }
        for r in 0..<faces.count {
            try? flat.add(Array(vectors[r * dimension ..< (r + 1) * dimension]), face: faces[r], identity: identities[r])
        }
        guard let answers = try? flat.search(batch: queries, topK: 1) else { return 0 }
        let hits = zip(answers, queryIdentities).filter { $0.0.first?.identity == $0.1 }.count
        return Double(hits) / Double(max(queryIdentities.count, 1))
    }
}

/// SplitMix64: a tiny, seedable generator (deterministic across platforms).
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    private var spare: Double?

    /// Creates a generator from a seed.
    public init(seed: UInt64) { state = seed }

    /// Next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in (0, 1).
    public mutating func uniform() -> Double { (Double(next() >> 11) + 0.5) / 9_007_199_254_740_992 }

    /// Standard normal (Box-Muller, pairs cached).
    public mutating func gaussian() -> Double {
        if let s = spare { spare = nil; return s }
        let u = uniform(), v = uniform()
        let r = (-2 * log(u)).squareRoot()
        spare = r * sin(2 * Double.pi * v)
        return r * cos(2 * Double.pi * v)
    }
}

/// A random orthogonal map: a coordinate permutation followed by four Householder reflections.
struct OrthogonalMix: Sendable {
    let permutation: [Int]
    let reflections: [[Double]]

    init(dimension d: Int, rng: inout SplitMix64) {
        permutation = Array(0..<d).shuffled(using: &rng)
        reflections = (0..<4).map { _ in
            var u = (0..<d).map { _ in rng.gaussian() }
            let n = u.reduce(0) { $0 + $1 * $1 }.squareRoot()
            for j in 0..<d { u[j] /= n }
            return u
        }
    }

    func apply(_ v: inout [Double]) {
        let p = permutation.map { v[$0] }
        v = p
        for u in reflections {
            var t = 0.0
            for j in 0..<v.count { t += u[j] * v[j] }
            for j in 0..<v.count { v[j] -= 2 * t * u[j] }
        }
    }
}
