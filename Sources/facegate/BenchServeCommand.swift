import ArgumentParser
import Embedding
import FaceGateAPI
import FaceGateClient
import Foundation
import GRPCHTTP2Client
import GRPCProtocol
import Logging

/// `facegate bench serve`: starts `facegate serve` on loopback (temp gallery), enrolls a few
/// identities, drives N concurrent bidi Classify streams for a fixed time, times unary
/// ClassifyOne at low load, then runs the engine alone at the same batch size and prints the
/// ratio served/engine faces/s. `--interop` drives `facegate-interop` instead (transport only;
/// with `--server` any grpc.testing interop server, e.g. grpc-go's, for a same-client comparison).
struct BenchServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Load-test a FaceGate server on loopback: faces/s, p50/p99, ratio to the engine alone."
    )

    @Option(help: "Folder of face images: DIR/identity/*.jpg, or a flat folder (one identity per image).")
    var faces: String = ".cache/testdata/test_images"

    @Option(help: "Model name or path, forwarded to `facegate serve --model` and used for the engine-only run.")
    var model: String?

    @Option(help: "Use this running server (host:port) instead of starting one.")
    var server: String?

    @Option(parsing: .singleValue, help: "Extra argument for `facegate serve` (repeatable).")
    var serveArg: [String] = []

    @Option(help: "Concurrent bidi Classify streams.")
    var streams: Int = 16

    @Option(help: "Faces in flight per stream (closed loop).")
    var depth: Int = 1

    @Option(help: "Seconds of measured load.")
    var seconds: Double = 10

    @Option(help: "Seconds of unmeasured load first.")
    var warmup: Double = 2

    @Option(help: "Identities to enroll.")
    var identities: Int = 8

    @Option(help: "Images enrolled per identity (the rest are probes too).")
    var enrollPerIdentity: Int = 2

    @Option(help: "Seconds of unary ClassifyOne calls, one at a time.")
    var unarySeconds: Double = 3

    @Option(help: "Engine-only batch size (match the server's max batch).")
    var batch: Int = 8

    @Option(help: "Engine-only threads per batch.")
    var threads: Int = 2

    @Flag(help: "Drive facegate-interop or, with --server, any interop server (FullDuplexCall streams, EmptyCall) instead of FaceGate.")
    var interop = false

    @Flag(help: "Print one JSON object on the last line.")
    var json = false

    func validate() throws {
        guard streams >= 1, depth >= 1, seconds > 0, warmup >= 0, batch >= 1, threads >= 1, identities >= 1,
              enrollPerIdentity >= 1 else {
            throw ValidationError("--streams, --depth, --batch, --threads, --identities, --enroll-per-identity must be >= 1; --seconds > 0")
        }
    }

    func run() async throws {
        var logger = Logger(label: "facegate.bench")
        logger.logLevel = .warning
        let workDir = FileManager.default.temporaryDirectory.appendingPathComponent("facegate-bench-\(getpid())").path
        try FileManager.default.createDirectory(atPath: workDir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: workDir) }

        var process: ServerProcess?
        let host = "127.0.0.1"
        let port: Int
        if let server {
            let endpoint = try ServerOptions.parse(["--server", server]).endpoint()
            port = endpoint.port
        } else {
            let (executable, arguments) = serverCommand(workDir: workDir)
            process = try ServerProcess(executable: executable, arguments: arguments,
                                        logPath: workDir + "/server.log", readyTimeout: .seconds(180))
            port = process!.port
        }
        defer { process?.stop() }
        let client = GRPCClient(config: .init())
        try await client.connect(host: host, port: port)
        var report: [(String, String)] = [("bench", "\"serve\""), ("streams", "\(streams)"), ("depth", "\(depth)"),
                                          ("seconds", "\(seconds)")]
        do {
            if interop {
                try await runInterop(client: client, report: &report)
            } else {
                try await runFaceGate(client: client, process: process, report: &report, logger: logger)
            }
        } catch {
            await client.close()
            if let log = process?.logPath, let text = try? String(contentsOfFile: log, encoding: .utf8) {
                printError("server log (last lines):\n" + text.split(separator: "\n").suffix(15).joined(separator: "\n"))
            }
            throw error
        }
        await client.close()
        if json {
            print("{" + report.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}")
        }
    }

    private func serverCommand(workDir: String) -> (String, [String]) {
        let selfPath = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        if interop {
            let dir = (selfPath as NSString).deletingLastPathComponent
            return (dir + "/facegate-interop", ["--host", "127.0.0.1", "--port", "0"])
        }
        var arguments = ["serve", "--host", "127.0.0.1", "--port", "0", "--gallery", workDir + "/gallery.db"]
        if let model { arguments += ["--model", model] }
        return (selfPath, arguments + serveArg)
    }

    // MARK: Transport only

    private func runInterop(client: GRPCClient, report: inout [(String, String)]) async throws {
        // StreamingOutputCallRequest { response_parameters { size: 64 } payload { body: 64 zero bytes } }
        let request: [UInt8] = [0x12, 0x02, 0x08, 0x40, 0x1A, 0x42, 0x12, 0x40] + [UInt8](repeating: 0, count: 64)
        let load = LoadGenerator(client: client, path: "/grpc.testing.TestService/FullDuplexCall", timeout: .seconds(60))
        let check: LoadGenerator.Check = { _, response in
            guard response.count >= 64 else { throw RPCError(.internal, "short response of \(response.count) bytes") }
            return "OK"
        }
        if warmup > 0 {
            _ = await load.bidi(streams: streams, depth: depth, duration: .seconds(warmup), request: { _ in request }, check: check)
        }
        let streamed = await load.bidi(streams: streams, depth: depth, duration: .seconds(seconds),
                                       request: { _ in request }, check: check)
        // EmptyCall: the cheapest unary method every interop server has (grpc-go's has no Health).
        let health = LoadGenerator(client: client, path: "/grpc.testing.TestService/EmptyCall", timeout: .seconds(10))
        let healthCheck: LoadGenerator.Check = { _, response in
            guard response.isEmpty else { throw RPCError(.internal, "EmptyCall answered \(response.count) bytes") }
            return "OK"
        }
        let lowLoad = await health.unary(workers: 1, duration: .seconds(unarySeconds), request: { _ in [] }, check: healthCheck)
        let highLoad = await health.unary(workers: streams, duration: .seconds(unarySeconds), request: { _ in [] }, check: healthCheck)
        print("interop FullDuplexCall: \(streams) streams x depth \(depth): \(fixed(streamed.perSecond, 0)) msgs/s, "
              + "p50 \(fixed(streamed.percentile(0.5), 0)) us, p99 \(fixed(streamed.percentile(0.99), 0)) us, errors \(streamed.errors)")
        print("EmptyCall unary, 1 caller: \(fixed(lowLoad.perSecond, 0)) calls/s, p50 \(fixed(lowLoad.percentile(0.5), 0)) us, "
              + "p99 \(fixed(lowLoad.percentile(0.99), 0)) us; \(streams) callers: \(fixed(highLoad.perSecond, 0)) calls/s, "
              + "p50 \(fixed(highLoad.percentile(0.5), 0)) us, p99 \(fixed(highLoad.percentile(0.99), 0)) us, "
              + "errors \(lowLoad.errors + highLoad.errors)")
        for error in (streamed.firstErrors + lowLoad.firstErrors + highLoad.firstErrors).prefix(3) { printError("error: \(error)") }
        report += [("target", "\"interop\""), ("stream_msgs_per_s", fixed(streamed.perSecond, 1)),
                   ("stream_p50_us", fixed(streamed.percentile(0.5), 1)), ("stream_p99_us", fixed(streamed.percentile(0.99), 1)),
                   ("stream_errors", "\(streamed.errors)"),
                   ("unary_calls_per_s_1", fixed(lowLoad.perSecond, 1)), ("unary_p50_us_1", fixed(lowLoad.percentile(0.5), 1)),
                   ("unary_p99_us_1", fixed(lowLoad.percentile(0.99), 1)),
                   ("unary_calls_per_s_n", fixed(highLoad.perSecond, 1)), ("unary_p99_us_n", fixed(highLoad.percentile(0.99), 1)),
                   ("unary_errors", "\(lowLoad.errors + highLoad.errors)")]
        if streamed.errors + lowLoad.errors + highLoad.errors > 0 { throw ExitCode(1) }
    }
}
