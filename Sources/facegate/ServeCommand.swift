import ArgumentParser
import FaceGateService
import Foundation
import GRPCHTTP2Server
import GalleryIndex
import Logging
import OODGate

/// `facegate serve`: the FaceGate server.
///
/// Settings come from, in increasing precedence: `--config FILE` (JSON with the same keys as
/// the flags, e.g. `{"port": 6000, "max-batch": 16}`), `FACEGATE_<FLAG>` environment variables
/// (`FACEGATE_PORT=6000`, `FACEGATE_MAX_BATCH=16`), and the flags themselves.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve facegate.v1.FaceGate and grpc.health.v1.Health over gRPC (HTTP/2).",
        discussion: """
            Every flag can also be set in a JSON --config file (same names, without dashes' prefix) or as an \
            environment variable FACEGATE_<NAME> (upper case, dashes as underscores). Flags win over the \
            environment, which wins over the file. Units are in the flag names and help.
            """
    )

    @Option(help: "JSON file with default values for any of these options.")
    var config: String?

    @Option(help: "Address to listen on. (default: 127.0.0.1)")
    var host: String?
    @Option(help: "TCP port; 0 picks a free port and prints it. (default: 50051)")
    var port: Int?
    @Option(help: "Gallery SQLite file, created when missing. (default: var/gallery.sqlite)")
    var gallery: String?
    @Option(help: "Embedding model: a name (dlib) or a .dat/.onnx path. (default: dlib)")
    var model: String?
    @Option(help: "Model cache folder. (default: $FACEGATE_CACHE or ~/.cache/facegate)")
    var modelCache: String?
    @Option(help: "Gate file from `facegate train-gate`. (default: built-in cue limits)")
    var gate: String?
    @Option(help: "What to do with out-of-distribution faces: exclude, flag or off. (default: exclude)")
    var gatePolicy: String?
    @Option(help: "Open-set distance threshold (Euclidean, unit embeddings). (default: per model; dlib 0.4)")
    var threshold: Float?
    @Option(help: "Index pruning: exact; ratio:DELTA (the seed's rule, e.g. ratio:1.6); or expected:DELTA (the ratio test on the expected full distance, safer at the same DELTA, e.g. expected:1.2; see docs/index.md). (default: exact)")
    var pruning: String?
    @Option(help: "Most faces per engine batch. (default: 8)")
    var maxBatch: Int?
    @Option(help: "Longest wait for a batch to fill, milliseconds. (default: 0)")
    var maxDelayMs: Double?
    @Option(help: "Most faces waiting for a batch before new ones get RESOURCE_EXHAUSTED. (default: 256)")
    var maxQueuedFaces: Int?
    @Option(help: "Faces of one stream processed concurrently. (default: 16)")
    var streamWindow: Int?
    @Option(help: "Largest decoded image, pixels. (default: 40000000)")
    var maxImagePixels: Int?
    @Option(help: "Largest request message, bytes. (default: 4194304)")
    var maxMessageBytes: Int?
    @Option(help: "Concurrent streams per HTTP/2 connection. (default: 100)")
    var maxConcurrentStreams: Int?
    @Option(help: "Engine threads per batch. (default: 1)")
    var engineThreads: Int?
    @Option(help: "Batches the engine runs at the same time. (default: 2)")
    var concurrentBatches: Int?
    @Option(help: "Seconds in-flight calls may run after SIGTERM. (default: 10)")
    var drainGraceSeconds: Double?
    @Option(help: "TLS certificate chain (PEM); with --tls-key serves TLS with ALPN h2.")
    var tlsCert: String?
    @Option(help: "TLS private key (PEM).")
    var tlsKey: String?
    @Option(help: "Prometheus /metrics port; 0 picks a free one, -1 (written --metrics-port=-1) disables it. (default: 9464)")
    var metricsPort: Int?
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical. (default: info)")
    var logLevel: String?

    func run() async throws {
        let settings = try Settings(file: config, environment: ProcessInfo.processInfo.environment)
        let level = Logger.Level(rawValue: logLevel ?? settings.string("log-level") ?? "info") ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let service = try makeConfig(settings)
        let host = service.server.host
        try await FaceGateServer(config: service).run { port in
            print("listening on \(host):\(port)")
            fflush(nil)  // nil flushes every stream, stdout included
        }
    }

    /// Merges flags over environment over file over defaults.
    func makeConfig(_ settings: Settings) throws -> ServiceConfig {
        var c = ServiceConfig()
        c.server.host = host ?? settings.string("host") ?? c.server.host
        c.server.port = try port ?? settings.int("port") ?? c.server.port
        c.gallery.path = gallery ?? settings.string("gallery") ?? c.gallery.path
        c.model.nameOrPath = model ?? settings.string("model") ?? c.model.nameOrPath
        c.model.cacheDirectory = modelCache ?? settings.string("model-cache")
        c.gate.file = gate ?? settings.string("gate")
        if let policy = gatePolicy ?? settings.string("gate-policy") {
            guard let parsed = GatePolicy(rawValue: policy) else {
                throw ValidationError("--gate-policy must be exclude, flag or off, not '\(policy)'")
            }
            c.gate.policy = parsed
        }
        c.gallery.threshold = try threshold ?? settings.float("threshold")
        if let text = pruning ?? settings.string("pruning") {
            if text == "exact" {
                c.gallery.pruning = .exact
            } else if text.hasPrefix("ratio:"), let delta = Float(text.dropFirst(6)), delta >= 1 {
                c.gallery.pruning = .ratio(delta: delta)
            } else if text.hasPrefix("expected:"), let delta = Float(text.dropFirst(9)), delta >= 1 {
                c.gallery.pruning = .expectedRatio(delta: delta)
            } else {
                throw ValidationError("--pruning must be exact, ratio:DELTA or expected:DELTA with DELTA >= 1, not '\(text)'")
            }
        }
        c.batching.maxBatch = try positive("max-batch", maxBatch ?? settings.int("max-batch")) ?? c.batching.maxBatch
        if let ms = try maxDelayMs ?? settings.double("max-delay-ms") {
            guard ms >= 0 else { throw ValidationError("--max-delay-ms must be >= 0") }
            c.batching.maxDelay = .microseconds(Int64(ms * 1000))
        }
        c.batching.maxQueued = try positive("max-queued-faces", maxQueuedFaces ?? settings.int("max-queued-faces")) ?? c.batching.maxQueued
        c.limits.streamWindow = try positive("stream-window", streamWindow ?? settings.int("stream-window")) ?? c.limits.streamWindow
        c.limits.maxImagePixels = try positive("max-image-pixels", maxImagePixels ?? settings.int("max-image-pixels")) ?? c.limits.maxImagePixels
        c.server.messages.maxReceiveBytes =
            try positive("max-message-bytes", maxMessageBytes ?? settings.int("max-message-bytes")) ?? c.server.messages.maxReceiveBytes
        c.server.http2.maxConcurrentStreams =
            try positive("max-concurrent-streams", maxConcurrentStreams ?? settings.int("max-concurrent-streams"))
            ?? c.server.http2.maxConcurrentStreams
        c.model.engineThreads = try positive("engine-threads", engineThreads ?? settings.int("engine-threads")) ?? c.model.engineThreads
        c.batching.maxConcurrentBatches =
            try positive("concurrent-batches", concurrentBatches ?? settings.int("concurrent-batches")) ?? c.batching.maxConcurrentBatches
        if let grace = try drainGraceSeconds ?? settings.double("drain-grace-seconds") {
            c.server.shutdown.drainGrace = .milliseconds(Int64(grace * 1000))
        }
        if let cert = tlsCert ?? settings.string("tls-cert"), let key = tlsKey ?? settings.string("tls-key") {
            c.server.tls = .init(certificatePath: cert, privateKeyPath: key)
        }
        if let metrics = try metricsPort ?? settings.int("metrics-port") {
            c.metrics.port = metrics < 0 ? nil : metrics
        }
        c.metrics.host = c.server.host
        return c
    }

    private func positive(_ name: String, _ value: Int?) throws -> Int? {
        if let value, value < 1 { throw ValidationError("--\(name) must be at least 1, got \(value)") }
        return value
    }
}

/// Option values from a JSON config file and `FACEGATE_*` environment variables.
struct Settings {
    private var values: [String: String] = [:]

    init(file: String?, environment: [String: String]) throws {
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ValidationError("cannot read config file \(file)")
            }
            guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw ValidationError("\(file) is not a JSON object of option names to values")
            }
            for (key, value) in object { values[key] = "\(value)" }
        }
        for (key, value) in environment where key.hasPrefix("FACEGATE_") {
            let name = key.dropFirst("FACEGATE_".count).lowercased().replacingOccurrences(of: "_", with: "-")
            values[name] = value
        }
    }

    func string(_ name: String) -> String? { values[name] }

    func int(_ name: String) throws -> Int? {
        guard let text = values[name] else { return nil }
        guard let value = Int(text) else { throw ValidationError("\(name) must be an integer, got '\(text)'") }
        return value
    }

    func double(_ name: String) throws -> Double? {
        guard let text = values[name] else { return nil }
        guard let value = Double(text) else { throw ValidationError("\(name) must be a number, got '\(text)'") }
        return value
    }

    func float(_ name: String) throws -> Float? {
        try double(name).map(Float.init)
    }
}
