#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A plain TCP socket to 127.0.0.1 for sending hand-made (or hostile) bytes to a server.
public final class RawHTTP2Socket {
    private var fd: Int32

    /// Connects to 127.0.0.1:`port`.
    public init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard fd >= 0, rc == 0 else { throw RawHTTP2Client.Failure(description: "connect failed") }
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Writes all bytes.
    public func send(_ bytes: [UInt8]) throws {
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard n == bytes.count else { throw RawHTTP2Client.Failure(description: "short write") }
    }

    /// Reads until EOF (the server closed); returns the number of bytes read before it.
    /// - Throws: if the server keeps the connection open for 5 s of silence.
    public func readUntilClosed() throws -> [UInt8] {
        var all: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, 5000) > 0 else { throw RawHTTP2Client.Failure(description: "server did not close") }
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return all }
            all.append(contentsOf: buffer[0..<n])
        }
    }
}
