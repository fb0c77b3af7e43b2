import ArgumentParser
import FaceGateAPI
import FaceGateClient
import Foundation
import GRPCHTTP2Client
import GRPCProtocol

/// Options every client subcommand shares: where the server is and how long a call may take.
struct ServerOptions: ParsableArguments {
    @Option(help: "Server address, host:port.")
    var server: String = "127.0.0.1:50051"

    @Option(help: "Deadline per unary call and per stream, in seconds (0: none).")
    var timeout: Double = 120

    @Option(help: "Trust this CA file (PEM) and connect with TLS.")
    var tlsCA: String?

    /// `host` and `port` from `--server` (`[v6]:port` accepted).
    func endpoint() throws -> (host: String, port: Int) {
        guard let colon = server.lastIndex(of: ":"), let port = Int(server[server.index(after: colon)...]),
              (1...65535).contains(port) else {
            throw ValidationError("--server must be host:port, got \(server)")
        }
        var host = String(server[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? "127.0.0.1" : host, port)
    }

    /// The per-call deadline, nil when `--timeout 0`.
    var deadline: Duration? { timeout > 0 ? .milliseconds(Int64(timeout * 1000)) : nil }

    /// Connects, turning connection failures into a one-line error.
    func connect() async throws -> FaceGateClient {
        let (host, port) = try endpoint()
        var config = GRPCClient.Config()
        if let tlsCA { config.tls = .init(caFilePath: tlsCA) }
        do {
            return try await FaceGateClient.connect(host: host, port: port, config: config, defaultTimeout: deadline)
        } catch let error as ClientTransportError {
            throw ClientCommandError(error.message)
        } catch {
            throw ClientCommandError("cannot connect to \(host):\(port): \(error)")
        }
    }
}

/// A client command's failure, printed as one line on stderr (exit status 1).
struct ClientCommandError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs `body` with a connected client, closing it afterwards and turning RPC errors into
/// one-line messages.
func withFaceGateClient<T>(_ options: ServerOptions, _ body: (FaceGateClient) async throws -> T) async throws -> T {
    let client = try await options.connect()
    do {
        let result = try await body(client)
        await client.close()
        return result
    } catch let error as RPCError {
        await client.close()
        throw ClientCommandError("server answered \(error)")
    } catch {
        await client.close()
        throw error
    }
}

/// Image files (`.jpg`, `.jpeg`, `.png`, any case) directly inside `directory`, sorted.
func imageFiles(in directory: String) throws -> [String] {
    let names = try FileManager.default.contentsOfDirectory(atPath: directory)
    return names.filter { ["jpg", "jpeg", "png"].contains(($0 as NSString).pathExtension.lowercased()) }
        .sorted().map { (directory as NSString).appendingPathComponent($0) }
}

/// Reads a whole file.
func readImage(_ path: String) throws -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw ClientCommandError("cannot read \(path)")
    }
    return [UInt8](data)
}

extension RejectReason {
    /// The proto enum name without prefix, e.g. `BLURRY`.
    var name: String {
        switch self {
        case .blurry: "BLURRY"
        case .tooSmall: "TOO_SMALL"
        case .tooDark: "TOO_DARK"
        case .tooBright: "TOO_BRIGHT"
        case .lowContrast: "LOW_CONTRAST"
        case .occluded: "OCCLUDED"
        case .pose: "POSE"
        case .outOfDistribution: "OUT_OF_DISTRIBUTION"
        case .noFace: "NO_FACE"
        }
    }
}

extension Decision {
    /// The proto enum name without prefix, e.g. `MATCH`.
    var name: String {
        switch self {
        case .unspecified: "UNSPECIFIED"
        case .match: "MATCH"
        case .unknown: "UNKNOWN"
        case .rejected: "REJECTED"
        }
    }
}

/// Writes a line to stderr.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// A JSON string literal.
func jsonString(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 {
                out += String(format: "\\u%04x", scalar.value)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}

/// Formats a float with `digits` decimals.
func fixed(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }
