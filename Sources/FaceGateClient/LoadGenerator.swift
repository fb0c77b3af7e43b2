import GRPCHTTP2Client
import GRPCProtocol

/// Closed-loop load over one connection: N concurrent bidi streams each keep `depth` messages in
/// flight for a fixed time, or N workers issue unary calls back to back.
///
/// Latency is measured per message, from `send` to its response. Bounded by `duration`. The
/// engine of `facegate bench serve`; a library type so that tests can check its counting.
public struct LoadGenerator: Sendable {
    /// Figures of one load run.
    public struct Result: Sendable {
        /// Responses that passed the check.
        public var completed = 0
        /// Failed calls and responses that failed the check.
        public var errors = 0
        /// The first few errors, as text.
        public var firstErrors: [String] = []
        /// Latency of every completed message, microseconds.
        public var latenciesUs: [Double] = []
        /// Wall time of the run, seconds.
        public var seconds = 0.0
        /// Completed responses by the label the check returned.
        public var labels: [String: Int] = [:]

        /// Creates an empty result.
        public init() {}

        /// Completed responses per second.
        public var perSecond: Double { seconds > 0 ? Double(completed) / seconds : 0 }

        /// The `p`-quantile (0...1) of the latencies in microseconds; NaN when there are none.
        public func percentile(_ p: Double) -> Double {
            guard !latenciesUs.isEmpty else { return .nan }
            let sorted = latenciesUs.sorted()
            return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
        }

        /// Adds another worker's figures (not its `seconds`).
        public mutating func merge(_ other: Result) {
            completed += other.completed
            errors += other.errors
            firstErrors += other.firstErrors.prefix(max(0, 3 - firstErrors.count))
            latenciesUs += other.latenciesUs
            for (key, count) in other.labels { labels[key, default: 0] += count }
        }
    }

    /// Checks one response; returns a label to count (e.g. the decision) or throws to count an error.
    public typealias Check = @Sendable (_ index: Int, _ response: [UInt8]) throws -> String

    /// The connection the load runs on.
    public let client: GRPCClient
    /// The method called, `/package.Service/Method`.
    public let path: String
    /// Deadline of each stream or unary call.
    public let timeout: Duration?

    /// Creates a generator for one method.
    public init(client: GRPCClient, path: String, timeout: Duration?) {
        self.client = client
        self.path = path
        self.timeout = timeout
    }

    /// Runs `streams` bidi streams, `depth` messages in flight each, for `duration`.
    /// `request(i)` makes the i-th message of a stream; responses must come back in order.
    public func bidi(streams: Int, depth: Int, duration: Duration,
              request: @escaping @Sendable (Int) -> [UInt8], check: @escaping Check) async -> Result {
        let clock = ContinuousClock()
        let end = clock.now.advanced(by: duration)
        let start = clock.now
        var total = await withTaskGroup(of: Result.self) { group in
            for stream in 0..<streams {
                group.addTask {
                    await runStream(offset: stream * 7919, depth: depth, end: end, request: request, check: check)
                }
            }
            var total = Result()
            for await result in group { total.merge(result) }
            return total
        }
        total.seconds = (clock.now - start).seconds
        return total
    }

    private func runStream(offset: Int, depth: Int, end: ContinuousClock.Instant,
                           request: @escaping @Sendable (Int) -> [UInt8], check: Check) async -> Result {
        let clock = ContinuousClock()
        var result = Result()
        var sent: [ContinuousClock.Instant] = []
        var nextIndex = offset
        var answered = 0
        do {
            let call = try client.bidirectionalStreaming(path, timeout: timeout)
            var responses = call.responses.makeAsyncIterator()
            for _ in 0..<depth {
                sent.append(clock.now)
                try await call.requests.send(request(nextIndex))
                nextIndex += 1
            }
            var finished = false
            while let response = try await responses.next() {
                let latency = (clock.now - sent[answered]).seconds * 1e6
                do {
                    let label = try check(offset + answered, response)
                    result.completed += 1
                    result.latenciesUs.append(latency)
                    result.labels[label, default: 0] += 1
                } catch {
                    result.note(error)
                }
                answered += 1
                if clock.now < end {
                    sent.append(clock.now)
                    try await call.requests.send(request(nextIndex))
                    nextIndex += 1
                } else if !finished {
                    finished = true
                    call.requests.finish()
                }
            }
        } catch {
            result.note(error)
        }
        return result
    }

    /// Runs `workers` tasks issuing unary calls back to back for `duration` (at least one call each).
    public func unary(workers: Int, duration: Duration,
               request: @escaping @Sendable (Int) -> [UInt8], check: @escaping Check) async -> Result {
        let clock = ContinuousClock()
        let end = clock.now.advanced(by: duration)
        let start = clock.now
        var total = await withTaskGroup(of: Result.self) { group in
            for worker in 0..<workers {
                group.addTask {
                    var result = Result()
                    var index = worker * 7919
                    // Every worker makes at least one call, even when it starts late on a busy machine.
                    repeat {
                        let t0 = clock.now
                        do {
                            let response = try await client.unary(path, request: request(index), timeout: timeout)
                            let latency = (clock.now - t0).seconds * 1e6
                            let label = try check(index, response)
                            result.completed += 1
                            result.latenciesUs.append(latency)
                            result.labels[label, default: 0] += 1
                        } catch {
                            result.note(error)
                        }
                        index += 1
                    } while clock.now < end
                    return result
                }
            }
            var total = Result()
            for await result in group { total.merge(result) }
            return total
        }
        total.seconds = (clock.now - start).seconds
        return total
    }
}

extension LoadGenerator.Result {
    /// Counts one error, keeping its text if it is among the first three.
    mutating func note(_ error: any Error) {
        errors += 1
        if firstErrors.count < 3 { firstErrors.append("\(error)") }
    }
}

extension Duration {
    /// This duration in seconds.
    var seconds: Double {
        let (s, a) = components
        return Double(s) + Double(a) / 1e18
    }
}
