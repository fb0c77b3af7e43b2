import Synchronization
import Testing

@testable import FaceGateService

/// A batch processor that records batches and can be held closed by the test.
final class RecordingProcessor: Sendable {
    private let state = Mutex<(batches: [[Int]], held: Bool, waiters: [CheckedContinuation<Void, Never>])>(([], false, []))

    init(held: Bool = false) {
        state.withLock { $0.held = held }
    }

    var batches: [[Int]] { state.withLock { $0.batches } }

    func release() {
        let waiters = state.withLock { state in
            state.held = false
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func process(_ inputs: [Int]) async -> [Int] {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state in
                state.batches.append(inputs)
                if state.held { state.waiters.append(continuation) }
                return !state.held
            }
            if ready { continuation.resume() }
        }
        return inputs.map { $0 * 10 }
    }
}

/// Polls `condition` until true (bounded; no timing assertion, just a wait for progress).
func eventually(_ condition: @Sendable () async -> Bool) async {
    for _ in 0..<20_000 {
        if await condition() { return }
        try? await Task.sleep(for: .milliseconds(2))
    }
}

@Suite("Batcher")
struct BatcherTests {
    private func makeBatcher(
        maxBatch: Int = 4, maxDelay: Duration = .milliseconds(1), maxQueued: Int = 64, concurrentBatches: Int = 1,
        processor: RecordingProcessor
    ) -> Batcher<Int, Int> {
        var config = Batcher<Int, Int>.Config()
        config.maxConcurrentBatches = concurrentBatches
        config.maxBatch = maxBatch
        config.maxDelay = maxDelay
        config.maxQueued = maxQueued
        return Batcher(config: config) { await processor.process($0) }
    }

    @Test func everyItemGetsItsOwnOutput() async throws {
        let processor = RecordingProcessor()
        let batcher = makeBatcher(processor: processor)
        let outputs = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            for i in 0..<20 {
                group.addTask { (i, try await batcher.submit(i, stream: UInt64(i % 3))) }
            }
            return try await group.reduce(into: [Int: Int]()) { $0[$1.0] = $1.1 }
        }
        #expect(outputs.count == 20)
        for (input, output) in outputs { #expect(output == input * 10) }
        #expect(processor.batches.allSatisfy { $0.count <= 4 })
        #expect(processor.batches.flatMap { $0 }.sorted() == Array(0..<20))
    }

    @Test func fullBatchesFormWhileTheProcessorIsBusy() async throws {
        let processor = RecordingProcessor(held: true)
        let batcher = makeBatcher(maxBatch: 4, processor: processor)
        let first = Task { try await batcher.submit(0, stream: 0) }
        await eventually { processor.batches.count == 1 }
        let rest = (1...8).map { i in Task { try await batcher.submit(i, stream: 0) } }
        await eventually { await batcher.queuedCount() == 8 }
        processor.release()
        _ = try await first.value
        for task in rest { _ = try await task.value }
        #expect(processor.batches.count == 3)
        #expect(processor.batches[1].count == 4 && processor.batches[2].count == 4)
    }

    @Test func upToTheConcurrencyLimitBatchesRunSideBySide() async throws {
        let processor = RecordingProcessor(held: true)
        let batcher = makeBatcher(maxBatch: 1, concurrentBatches: 2, processor: processor)
        let tasks = (0..<3).map { i in Task { try await batcher.submit(i, stream: UInt64(i)) } }
        // Two batches are held inside the processor at once; the third waits for a free slot.
        await eventually { processor.batches.count == 2 }
        await eventually { await batcher.queuedCount() == 1 }
        #expect(processor.batches.count == 2)
        processor.release()
        var outputs: [Int] = []
        for task in tasks { outputs.append(try await task.value) }
        #expect(outputs == [0, 10, 20])
        #expect(processor.batches.count == 3)
        #expect(await batcher.statistics().batches == 3)
    }

    @Test func refusesWorkWhenTheQueueIsFull() async throws {
        let processor = RecordingProcessor(held: true)
        let batcher = makeBatcher(maxBatch: 1, maxQueued: 2, processor: processor)
        let running = Task { try await batcher.submit(0, stream: 0) }
        await eventually { processor.batches.count == 1 }
        let queued = (1...2).map { i in Task { try await batcher.submit(i, stream: 0) } }
        await eventually { await batcher.queuedCount() == 2 }
        await #expect(throws: Batcher<Int, Int>.Failure.overloaded(queued: 2)) {
            try await batcher.submit(99, stream: 1)
        }
        processor.release()
        _ = try await running.value
        for task in queued { _ = try await task.value }
        #expect(await batcher.statistics().shed == 1)
    }

    @Test func cancelledItemsAreNeverProcessed() async throws {
        let processor = RecordingProcessor(held: true)
        let batcher = makeBatcher(maxBatch: 1, processor: processor)
        let running = Task { try await batcher.submit(0, stream: 0) }
        await eventually { processor.batches.count == 1 }
        let doomed = Task { try await batcher.submit(1, stream: 0) }
        await eventually { await batcher.queuedCount() == 1 }
        doomed.cancel()
        await #expect(throws: Batcher<Int, Int>.Failure.cancelled) { try await doomed.value }
        processor.release()
        _ = try await running.value
        #expect(try await batcher.submit(2, stream: 0) == 20)
        #expect(!processor.batches.flatMap { $0 }.contains(1))
        #expect(await batcher.statistics().cancelled == 1)
    }

    @Test func expiredItemsAreDroppedBeforeTheirBatch() async throws {
        let processor = RecordingProcessor(held: true)
        let batcher = makeBatcher(maxBatch: 1, processor: processor)
        let running = Task { try await batcher.submit(0, stream: 0) }
        await eventually { processor.batches.count == 1 }
        let expiring = Task { try await batcher.submit(1, stream: 0, deadline: .now + .milliseconds(1)) }
        await eventually { await batcher.queuedCount() == 1 }
        try await Task.sleep(for: .milliseconds(5))
        processor.release()
        _ = try await running.value
        await #expect(throws: Batcher<Int, Int>.Failure.deadlineExceeded) { try await expiring.value }
        #expect(!processor.batches.flatMap { $0 }.contains(1))
        #expect(await batcher.statistics().expired == 1)
    }

    @Test func aBusyStreamDoesNotStarveOthers() async throws {
        let processor = RecordingProcessor(held: true)
        let batcher = makeBatcher(maxBatch: 4, processor: processor)
        let running = Task { try await batcher.submit(-1, stream: 9) }
        await eventually { processor.batches.count == 1 }
        let busy = (0..<12).map { i in Task { try await batcher.submit(i, stream: 1) } }
        await eventually { await batcher.queuedCount() == 12 }
        let quiet = Task { try await batcher.submit(100, stream: 2) }
        await eventually { await batcher.queuedCount() == 13 }
        processor.release()
        _ = try await running.value
        #expect(try await quiet.value == 1000)
        for task in busy { _ = try await task.value }
        // The quiet stream's single face rides in the first batch after the busy one queued 12.
        #expect(processor.batches[1].contains(100))
    }
}
