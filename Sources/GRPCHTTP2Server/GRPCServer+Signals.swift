import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension GRPCServer {
    /// Serves until SIGTERM or SIGINT, then drains gracefully (bounded by
    /// `config.shutdown.drainGrace`) and returns. Call after `start()`.
    public func runUntilTerminated() async {
        let signals: [Int32] = [SIGTERM, SIGINT]
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        var sources: [any DispatchSourceSignal] = []
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            sources.append(source)
        }
        for await number in stream {
            logger.info("signal received, draining", metadata: ["signal": "\(number)"])
            break
        }
        for source in sources { source.cancel() }
        await shutdownGracefully()
        logger.info("drained, exiting")
    }
}
