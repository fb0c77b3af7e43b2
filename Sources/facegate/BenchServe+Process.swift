import Foundation

/// A server process started by `bench serve`: spawned with `--port 0`, ready once it prints
/// `listening on HOST:PORT`; stopped with SIGTERM (then SIGKILL) by `stop()`.
final class ServerProcess: @unchecked Sendable {
    // Mutated only in init and stop(), both called from the one bench task.
    private let process = Process()
    /// The port the server printed.
    private(set) var port = 0
    /// The server's stderr log file.
    let logPath: String

    /// Starts `executable arguments...` and waits (up to `readyTimeout`) for its port.
    /// - Throws: `ClientCommandError` when it exits early or never prints the line.
    init(executable: String, arguments: [String], logPath: String, readyTimeout: Duration) throws {
        self.logPath = logPath
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let stdout = Pipe()
        process.standardOutput = stdout
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: logPath)
        try process.run()
        let reader = stdout.fileHandleForReading
        var text = ""
        let deadline = ContinuousClock.now.advanced(by: readyTimeout)
        let found = LockedLine()
        // Read stdout on a thread (a blocking read), keep draining it afterwards.
        Thread.detachNewThread {
            var buffer = ""
            while true {
                let data = reader.availableData
                if data.isEmpty { break }
                buffer += String(decoding: data, as: UTF8.self)
                if let line = buffer.split(separator: "\n").first(where: { $0.contains("listening on") }) {
                    found.set(String(line))
                }
            }
        }
        while ContinuousClock.now < deadline {
            if let line = found.get() { text = line; break }
            if !process.isRunning {
                throw ClientCommandError("\(executable) exited with status \(process.terminationStatus) before listening; log: \(logPath)")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        guard let colon = text.lastIndex(of: ":"),
              let port = Int(text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)) else {
            stop()
            throw ClientCommandError("\(executable) did not print 'listening on HOST:PORT' in time; log: \(logPath)")
        }
        self.port = port
    }

    /// Peak resident memory of the server so far (VmHWM), in MB; nil if unreadable.
    var peakResidentMB: Double? {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap({ Double($0) })
        else { return nil }
        return kb / 1024
    }

    /// SIGTERM, wait up to 15 s for the drain, then SIGKILL.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(15)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

/// A line shared between the stdout reader thread and the waiting task.
private final class LockedLine: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var line: String?
    func set(_ value: String) { lock.lock(); if line == nil { line = value }; lock.unlock() }
    func get() -> String? { lock.lock(); defer { lock.unlock() }; return line }
}
