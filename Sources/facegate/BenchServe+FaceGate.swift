import ArgumentParser
import Embedding
import FaceGateAPI
import FaceGateClient
import Foundation
import GRPCHTTP2Client
import GRPCProtocol
import Logging
import Synchronization

/// Face images for the bench: what to enroll, and probes with the identity they show.
struct BenchFaceSet {
    var enrollments: [(name: String, images: [[UInt8]])] = []
    var probes: [(name: String, bytes: [UInt8])] = []

    /// `DIR/identity/*` folders (the first `identities` with at least one image), or a flat
    /// folder where each image is its own identity.
    static func load(_ directory: String, identities: Int, enrollPerIdentity: Int) throws -> BenchFaceSet {
        var set = BenchFaceSet()
        let entries = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        var folders: [(String, [String])] = []
        for entry in entries {
            let path = (directory as NSString).appendingPathComponent(entry)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                let files = try imageFiles(in: path)
                if !files.isEmpty { folders.append((entry, files)) }
            }
        }
        if folders.isEmpty {
            // Flat folder: one identity per image (e.g. face_recognition's test photos).
            folders = try imageFiles(in: directory).map { (($0 as NSString).lastPathComponent, [$0]) }
        }
        // Prefer identities with more images (they give probes that are not the enrolled ones).
        folders.sort { $0.1.count != $1.1.count ? $0.1.count > $1.1.count : $0.0 < $1.0 }
        for (name, files) in folders.prefix(identities) {
            let images = try files.map(readImage)
            set.enrollments.append((name, Array(images.prefix(enrollPerIdentity))))
            for image in images { set.probes.append((name, image)) }
        }
        guard !set.probes.isEmpty else { throw ClientCommandError("no face images in \(directory)") }
        return set
    }
}

extension BenchServeCommand {
    func runFaceGate(client: GRPCClient, process: ServerProcess?, report: inout [(String, String)], logger: Logger) async throws {
        let faceGate = FaceGateClient(transport: client, defaultTimeout: .seconds(120))
        try await waitUntilServing(faceGate)
        let set = try BenchFaceSet.load(faces, identities: identities, enrollPerIdentity: enrollPerIdentity)
        let accepted = try await enroll(set, client: faceGate)
        printError("enrolled \(set.enrollments.count) identities (\(accepted) faces accepted); "
                   + "\(set.probes.count) probe images")

        let requests = set.probes.map { ClassifyRequest(face: FaceInput(image: .encoded($0.bytes)), topK: 1).serialized() }
        let names = set.probes.map(\.name)
        let check: LoadGenerator.Check = { index, bytes in
            let response = try ClassifyResponse(serialized: bytes)
            if let error = response.error { throw RPCError(.internal, "face error \(error.code): \(error.message)") }
            if response.decision == .match, response.candidates.first?.displayName != names[index % names.count] {
                return "MATCH_WRONG"
            }
            return response.decision.name
        }
        let request: @Sendable (Int) -> [UInt8] = { requests[$0 % requests.count] }
        let classify = LoadGenerator(client: client, path: FaceGateMethod.classify.rawValue, timeout: .seconds(300))
        if warmup > 0 {
            _ = await classify.bidi(streams: streams, depth: depth, duration: .seconds(warmup), request: request, check: check)
        }
        let served = await classify.bidi(streams: streams, depth: depth, duration: .seconds(seconds), request: request, check: check)
        let unary = LoadGenerator(client: client, path: FaceGateMethod.classifyOne.rawValue, timeout: .seconds(60))
        // One caller, so the timings arrive in the order of the measured latencies.
        let timings = Mutex<[TimingMessage]>([])
        let single = await unary.unary(workers: 1, duration: .seconds(unarySeconds), request: request, check: { index, bytes in
            let label = try check(index, bytes)
            let timing = try ClassifyResponse(serialized: bytes).timing ?? TimingMessage()
            timings.withLock { $0.append(timing) }
            return label
        })
        let overhead = Self.overheadMs(latenciesUs: single.latenciesUs, timings: timings.withLock { $0 })
        let serverPeakMB = process?.peakResidentMB
        process?.stop()

        let engine = try measureEngine(set.probes.map(\.bytes), logger: logger)
        let ratio = served.perSecond / engine.batchFacesPerSecond
        // The same work without RPC: decode + align (one core per face, both cores busy) plus the
        // engine's batch time; what the serving layer itself costs shows against this.
        let pipelineFacesPerSecond = 1 / (1 / engine.batchFacesPerSecond + engine.prepareMs / 1000 / Double(threads))
        let pipelineRatio = served.perSecond / pipelineFacesPerSecond
        let unaryRatio = single.percentile(0.99) / 1000 / engine.singleFaceMs
        let decisions = served.labels.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        print("served Classify: \(streams) streams x depth \(depth), \(fixed(served.seconds, 1)) s: "
              + "\(fixed(served.perSecond, 1)) faces/s, p50 \(fixed(served.percentile(0.5) / 1000, 2)) ms, "
              + "p99 \(fixed(served.percentile(0.99) / 1000, 2)) ms, errors \(served.errors) (\(decisions))")
        print("unary ClassifyOne, one at a time: \(single.completed) calls, p50 \(fixed(single.percentile(0.5) / 1000, 2)) ms, "
              + "p99 \(fixed(single.percentile(0.99) / 1000, 2)) ms, errors \(single.errors)")
        print("per-face overhead at low load (index + gate + RPC: latency - decode - align - queue - embed): "
              + "p50 \(fixed(overhead.p50, 3)) ms (target < 0.5); inside the server gate \(fixed(overhead.gateUs, 0)) us, "
              + "search \(fixed(overhead.searchUs, 0)) us (medians)")
        print("engine alone (\(engine.modelName)): batch \(batch) x \(threads) threads \(fixed(engine.batchFacesPerSecond, 1)) faces/s; "
              + "batch 1 x 1 thread \(fixed(engine.singleFaceMs, 2)) ms/face (median)")
        print("decode + align alone: \(fixed(engine.prepareMs, 3)) ms/face on one core; engine + decode + align on \(threads) "
              + "cores: \(fixed(pipelineFacesPerSecond, 1)) faces/s; served / that: \(fixed(pipelineRatio, 3))")
        print("ratio served/engine faces/s: \(fixed(ratio, 3)) (target >= 0.85); "
              + "unary p99 / engine single-face time: \(fixed(unaryRatio, 2)) (target < 3)")
        if let serverPeakMB { print("server peak RSS \(fixed(serverPeakMB, 1)) MB") }
        for error in (served.firstErrors + single.firstErrors).prefix(3) { printError("error: \(error)") }
        report += [("target", "\"facegate\""), ("model", jsonString(engine.modelName)), ("faces_per_s", fixed(served.perSecond, 2)),
                   ("p50_ms", fixed(served.percentile(0.5) / 1000, 3)), ("p99_ms", fixed(served.percentile(0.99) / 1000, 3)),
                   ("errors", "\(served.errors)"), ("unary_p50_ms", fixed(single.percentile(0.5) / 1000, 3)),
                   ("unary_p99_ms", fixed(single.percentile(0.99) / 1000, 3)), ("unary_errors", "\(single.errors)"),
                   ("overhead_p50_ms", fixed(overhead.p50, 4)), ("gate_us_p50", fixed(overhead.gateUs, 1)),
                   ("search_us_p50", fixed(overhead.searchUs, 1)),
                   ("engine_batch", "\(batch)"), ("engine_threads", "\(threads)"),
                   ("engine_faces_per_s", fixed(engine.batchFacesPerSecond, 2)),
                   ("engine_single_face_ms", fixed(engine.singleFaceMs, 3)), ("ratio_served_engine", fixed(ratio, 4)),
                   ("ratio_unary_p99_engine_single", fixed(unaryRatio, 3)),
                   ("prepare_ms_per_face", fixed(engine.prepareMs, 4)), ("pipeline_faces_per_s", fixed(pipelineFacesPerSecond, 2)),
                   ("ratio_served_pipeline", fixed(pipelineRatio, 4)),
                   ("server_peak_rss_mb", serverPeakMB.map { fixed($0, 1) } ?? "null")]
        if served.errors + single.errors > 0 { throw ExitCode(1) }
    }

    /// Per call: client latency minus the server's decode, align, queue and embed times, i.e.
    /// what the index, the gate and the RPC path (both ends, loopback) cost; medians.
    static func overheadMs(latenciesUs: [Double], timings: [TimingMessage]) -> (p50: Double, gateUs: Double, searchUs: Double) {
        func median(_ values: [Double]) -> Double {
            values.isEmpty ? .nan : values.sorted()[values.count / 2]
        }
        let pairs = zip(latenciesUs, timings)
        let overhead = pairs.map { latency, t in
            (latency - Double(t.decodeUs) - Double(t.alignUs) - Double(t.queueUs) - Double(t.embedUs)) / 1000
        }
        return (median(overhead), median(timings.map { Double($0.gateUs) }), median(timings.map { Double($0.searchUs) }))
    }

    private func waitUntilServing(_ client: FaceGateClient) async throws {
        let end = ContinuousClock.now.advanced(by: .seconds(180))
        var last = "no answer"
        while ContinuousClock.now < end {
            do {
                let status = try await client.checkHealth(timeout: .seconds(5))
                if status == .serving { return }
                last = "\(status)"
            } catch {
                last = "\(error)"
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw ClientCommandError("server never became SERVING (last: \(last))")
    }

    private func enroll(_ set: BenchFaceSet, client: FaceGateClient) async throws -> Int {
        var accepted = 0
        for (name, images) in set.enrollments {
            let stream = try client.enroll()
            var start = EnrollStart()
            start.displayName = name
            start.allowCrossIdentityMatch = true
            try await stream.send(.start(start))
            for (index, image) in images.enumerated() {
                try await stream.send(.face(EnrollFace(requestID: "\(name)#\(index)", face: FaceInput(image: .encoded(image)))))
            }
            stream.finish()
            for try await response in stream.responses {
                if case .verdict(let verdict) = response, verdict.accepted { accepted += 1 }
            }
        }
        return accepted
    }

    /// The engine alone on the probes: batches of `--batch` with `--threads`, and one face on
    /// one thread (medians of timed passes).
    private func measureEngine(_ images: [[UInt8]], logger: Logger) throws
        -> (modelName: String, batchFacesPerSecond: Double, singleFaceMs: Double, prepareMs: Double) {
        var cacheConfig = ModelCache.Config()
        cacheConfig.allowDownload = true
        let cache = ModelCache(config: cacheConfig, logger: logger)
        let name = model ?? ModelRegistry.defaultModel
        let batched = try ModelRegistry(cache: cache, engine: Embedder.Config(threads: threads)).load(name)
        let single = try ModelRegistry(cache: cache, engine: Embedder.Config(threads: 1)).load(name)
        let decoder = ImageDecoder()
        let prepareStart = ContinuousClock.now
        let prepared = try images.map { try batched.prepare(decoder.decode($0), hint: .none) }
        let prepareMs = (ContinuousClock.now - prepareStart) / .milliseconds(1) / Double(max(1, images.count))
        let batches = (0..<max(1, 8)).map { start in (0..<batch).map { prepared[(start * batch + $0) % prepared.count] } }
        let batchMs = try medianMs(passes: 20) { index in _ = try batched.embed(batches[index % batches.count], l2Normalize: true) }
        let singleMs = try medianMs(passes: 30) { index in _ = try single.embed([prepared[index % prepared.count]], l2Normalize: true) }
        return ("\(batched.identity)", Double(batch) * 1000 / batchMs, singleMs, prepareMs)
    }

    private func medianMs(passes: Int, _ body: (Int) throws -> Void) throws -> Double {
        for index in 0..<3 { try body(index) }
        var times: [Double] = []
        let clock = ContinuousClock()
        for index in 0..<passes {
            let t0 = clock.now
            try body(index)
            times.append(Double((clock.now - t0).components.attoseconds) / 1e15 + Double((clock.now - t0).components.seconds) * 1000)
        }
        times.sort()
        return times[times.count / 2]
    }
}
