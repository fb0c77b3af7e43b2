import Logging
import Synchronization

/// Collects work items from all concurrent calls into batches for one batch processor.
///
/// A batch is closed when it holds `maxBatch` items or when its oldest item has waited
/// `maxDelay`. Items are taken round-robin across streams, so one busy stream cannot starve
/// others. The queue is bounded: `submit` fails fast with `.overloaded` when `maxQueued` items
/// are waiting. An item whose task is cancelled, or whose deadline passes before its batch
/// starts, is removed without being processed. Thread-safe.
public final class Batcher<Input: Sendable, Output: Sendable>: Sendable {
    /// Batching limits.
    public struct Config: Sendable {
        /// Most items in one batch (faces). Measured with `facegate bench serve` (dlib model,
        /// 16 streams, 2 cores, two concurrent batches): 4 -> 546, 8 -> 590, 16 -> 582 faces/s
        /// (session 1, one batch at a time: 357 / 380 / 380, and 16 raised unary p99 by 40%).
        public var maxBatch: Int = 8
        /// Longest time the oldest item waits for a batch to fill. 0 (measured best): under load
        /// batches fill while the engine runs the previous one (380.6 faces/s at 0 ms vs 379.6 at
        /// 2 ms and 374.1 at 5 ms), and a lone face is not delayed (unary p50 5.0 ms at 0 ms vs
        /// 7.4 ms at 2 ms).
        public var maxDelay: Duration = .zero
        /// Most items waiting (not yet in a running batch) before new ones are refused.
        public var maxQueued: Int = 256
        /// Batches the processor may run at the same time (1 = strictly one after another).
        public var maxConcurrentBatches: Int = 1

        /// The defaults.
        public init() {}
    }

    /// Why an item was not processed.
    public enum Failure: Error, Sendable, Equatable {
        /// The queue was full (`maxQueued`).
        case overloaded(queued: Int)
        /// The item's deadline passed before its batch started.
        case deadlineExceeded
        /// The submitting task was cancelled.
        case cancelled
        /// The batch processor threw; the message describes the error.
        case processorFailed(String)
        /// The batcher was shut down.
        case shutDown
    }

    /// Counters for metrics and tests.
    public struct Statistics: Sendable, Equatable {
        /// Batches run.
        public var batches = 0
        /// Items processed.
        public var processed = 0
        /// Items refused because the queue was full.
        public var shed = 0
        /// Items dropped because their deadline passed while queued.
        public var expired = 0
        /// Items dropped because their task was cancelled while queued.
        public var cancelled = 0
        /// Sizes of the batches run, most recent last (bounded to the last 1024).
        public var recentBatchSizes: [Int] = []
    }

    private let queue: BatchQueue<Input, Output>
    private let worker: Task<Void, Never>

    /// Starts the batcher; `process` receives a non-empty batch and must return one output per
    /// input, in order. `process` runs on at most `maxConcurrentBatches` batches at a time.
    public init(
        config: Config = Config(), logger: Logger = Logger(label: "facegate.batcher"),
        process: @escaping @Sendable ([Input]) async throws -> [Output]
    ) {
        let queue = BatchQueue<Input, Output>(config: config)
        self.queue = queue
        self.worker = Task {
            await queue.run(process: process, logger: logger)
        }
    }

    deinit {
        worker.cancel()
    }

    /// Submits one item and waits for its output.
    /// - Parameters:
    ///   - stream: identifies the calling stream, for fair round-robin batching.
    ///   - deadline: the item is dropped if its batch has not started by then.
    /// - Throws: `Failure`.
    public func submit(
        _ input: Input, stream: UInt64, deadline: ContinuousClock.Instant? = nil
    ) async throws(Failure) -> Output {
        let id = queue.makeID()
        let result = await withTaskCancellationHandler {
            await queue.wait(id: id, input: input, stream: stream, deadline: deadline)
        } onCancel: {
            Task { await queue.cancel(id: id) }
        }
        return try result.get()
    }

    /// Current counters.
    public func statistics() async -> Statistics {
        await queue.statistics
    }

    /// Items waiting for a batch right now.
    public func queuedCount() async -> Int {
        await queue.queuedCount
    }

    /// Stops the worker; items still queued fail with `.shutDown`.
    public func shutDown() async {
        await queue.shutDown()
        worker.cancel()
    }
}

/// The batcher's state: per-stream FIFO queues and the waiting continuations.
actor BatchQueue<Input: Sendable, Output: Sendable> {
    typealias Failure = Batcher<Input, Output>.Failure

    struct Item {
        let id: UInt64
        let input: Input
        let deadline: ContinuousClock.Instant?
        let arrived: ContinuousClock.Instant
        let continuation: CheckedContinuation<Result<Output, Failure>, Never>
    }

    private let config: Batcher<Input, Output>.Config
    private var streams: [UInt64: [Item]] = [:]
    /// Streams with queued items, in round-robin order.
    private var rotation: [UInt64] = []
    private(set) var queuedCount = 0
    private let ids = IDSource()
    private var wakeUp: CheckedContinuation<Void, Never>?
    /// Batches handed to the processor and not finished yet.
    private var running = 0
    private var isShutDown = false
    private(set) var statistics = Batcher<Input, Output>.Statistics()

    init(config: Batcher<Input, Output>.Config) {
        self.config = config
    }

    nonisolated func makeID() -> UInt64 {
        ids.next()
    }

    /// Queues one item and suspends until it is processed, refused or dropped.
    func wait(id: UInt64, input: Input, stream: UInt64, deadline: ContinuousClock.Instant?) async -> Result<Output, Failure> {
        // A task cancelled before it reached the actor is refused here; one cancelled later is
        // found in the queue by `cancel(id:)`, which runs on this actor after this method.
        guard !Task.isCancelled else {
            statistics.cancelled += 1
            return .failure(.cancelled)
        }
        return await withCheckedContinuation { continuation in
            enqueue(id: id, input: input, stream: stream, deadline: deadline, continuation: continuation)
        }
    }

    private func enqueue(
        id: UInt64, input: Input, stream: UInt64, deadline: ContinuousClock.Instant?,
        continuation: CheckedContinuation<Result<Output, Failure>, Never>
    ) {
        guard !isShutDown else {
            continuation.resume(returning: .failure(.shutDown))
            return
        }
        guard queuedCount < config.maxQueued else {
            statistics.shed += 1
            continuation.resume(returning: .failure(.overloaded(queued: queuedCount)))
            return
        }
        let item = Item(id: id, input: input, deadline: deadline, arrived: .now, continuation: continuation)
        if streams[stream, default: []].isEmpty { rotation.append(stream) }
        streams[stream, default: []].append(item)
        queuedCount += 1
        wakeUp?.resume()
        wakeUp = nil
    }

    func cancel(id: UInt64) {
        for (stream, items) in streams {
            guard let index = items.firstIndex(where: { $0.id == id }) else { continue }
            let item = streams[stream]!.remove(at: index)
            removeIfDrained(stream)
            queuedCount -= 1
            statistics.cancelled += 1
            item.continuation.resume(returning: .failure(.cancelled))
            return
        }
        // Not queued: already in a running batch, which completes it.
    }

    private func removeIfDrained(_ stream: UInt64) {
        if streams[stream]?.isEmpty ?? true {
            streams[stream] = nil
            rotation.removeAll { $0 == stream }
        }
    }

    func shutDown() {
        isShutDown = true
        for items in streams.values {
            for item in items { item.continuation.resume(returning: .failure(.shutDown)) }
        }
        streams = [:]
        rotation = []
        queuedCount = 0
        wakeUp?.resume()
        wakeUp = nil
    }

    /// The worker loop: wait for items and a free processor slot, close a batch, start it, repeat.
    func run(process: @escaping @Sendable ([Input]) async throws -> [Output], logger: Logger) async {
        await withTaskGroup(of: Void.self) { group in
            await loop(process: process, logger: logger, group: &group)
            await group.waitForAll()
        }
    }

    private func loop(process: @escaping @Sendable ([Input]) async throws -> [Output], logger: Logger,
                      group: inout TaskGroup<Void>) async {
        while !Task.isCancelled && !isShutDown {
            if queuedCount == 0 || running >= max(1, config.maxConcurrentBatches) {
                await withCheckedContinuation { wakeUp = $0 }
                continue
            }
            if queuedCount < config.maxBatch, let oldest = oldestArrival() {
                let closeAt = oldest.advanced(by: config.maxDelay)
                if closeAt > .now {
                    try? await Task.sleep(until: closeAt, clock: .continuous)
                    if queuedCount < config.maxBatch && ContinuousClock.now < closeAt { continue }
                }
            }
            let batch = takeBatch()
            guard !batch.isEmpty else { continue }
            statistics.batches += 1
            statistics.processed += batch.count
            statistics.recentBatchSizes.append(batch.count)
            if statistics.recentBatchSizes.count > 1024 { statistics.recentBatchSizes.removeFirst(512) }
            running += 1
            group.addTask {
                await Self.complete(batch, process: process, logger: logger)
                await self.batchFinished()
            }
        }
    }

    private func batchFinished() {
        running -= 1
        wakeUp?.resume()
        wakeUp = nil
    }

    /// Runs one batch and resumes each of its items with its output or the batch's failure.
    private static func complete(_ batch: [Item], process: @Sendable ([Input]) async throws -> [Output], logger: Logger) async {
        do {
            let outputs = try await process(batch.map(\.input))
            guard outputs.count == batch.count else {
                let message = "batch processor returned \(outputs.count) outputs for \(batch.count) inputs"
                logger.error("\(message)")
                for item in batch { item.continuation.resume(returning: .failure(.processorFailed(message))) }
                return
            }
            for (item, output) in zip(batch, outputs) { item.continuation.resume(returning: .success(output)) }
        } catch {
            logger.error("batch failed", metadata: ["error": "\(error)", "size": "\(batch.count)"])
            for item in batch { item.continuation.resume(returning: .failure(.processorFailed("\(error)"))) }
        }
    }

    private func oldestArrival() -> ContinuousClock.Instant? {
        streams.values.compactMap { $0.first?.arrived }.min()
    }

    /// Takes up to `maxBatch` live items round-robin across streams, dropping expired ones.
    private func takeBatch() -> [Item] {
        var batch: [Item] = []
        let now = ContinuousClock.now
        while batch.count < config.maxBatch, !rotation.isEmpty {
            let stream = rotation.removeFirst()
            guard var items = streams[stream], !items.isEmpty else { continue }
            let item = items.removeFirst()
            queuedCount -= 1
            streams[stream] = items.isEmpty ? nil : items
            if !items.isEmpty { rotation.append(stream) }
            if let deadline = item.deadline, deadline <= now {
                statistics.expired += 1
                item.continuation.resume(returning: .failure(.deadlineExceeded))
                continue
            }
            batch.append(item)
        }
        return batch
    }
}

/// Unique item ids without an actor hop.
final class IDSource: Sendable {
    private let counter = Mutex<UInt64>(0)

    func next() -> UInt64 {
        counter.withLock { value in
            value += 1
            return value
        }
    }
}
