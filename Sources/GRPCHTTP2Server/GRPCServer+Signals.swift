import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SIGTERM/SIGINT turned into an awaitable event. Install it before the server announces its
/// port, so a signal that arrives right after start-up is not lost (or fatal).
public final class TerminationSignal: Sendable {
    private let stream: AsyncStream<Int32>
    private let continuation: AsyncStream<Int32>.Continuation
    // Only touched in `install` and `wait` (after which the sources are cancelled).
    nonisolated(unsafe) private var sources: [any DispatchSourceSignal] = []

    private init() {
        (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
    }

    /// Ignores the default action of SIGTERM and SIGINT and starts listening for them.
    public static func install() -> TerminationSignal {
        let handle = TerminationSignal()
        for number in [SIGTERM, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            let continuation = handle.continuation
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            handle.sources.append(source)
        }
        return handle
    }

    /// Waits for the first signal; returns its number.
    public func wait() async -> Int32 {
        var number: Int32 = SIGTERM
        for await received in stream {
            number = received
            break
        }
        for source in sources { source.cancel() }
        return number
    }
}

extension GRPCServer {
    /// Serves until `signal` fires, then drains gracefully (bounded by
    /// `config.shutdown.drainGrace`) and returns. Call after `start()`.
    public func runUntilTerminated(_ signal: TerminationSignal) async {
        let number = await signal.wait()
        logger.info("signal received, draining", metadata: ["signal": "\(number)"])
        await shutdownGracefully()
        logger.info("drained, exiting")
    }
}
