import GRPCProtocol
import Synchronization

/// Serves one bidirectional stream: transforms request messages concurrently (at most `window`
/// in flight, so faces of one stream share engine batches) and emits the results strictly in
/// request order.
///
/// `emit` runs sequentially, in order, which makes it the place for order-dependent work (e.g.
/// enrollment commits). When the call is cancelled, or `emit` throws because the client went
/// away, outstanding transforms are cancelled and reading stops.
func orderedStreamMap<Output: Sendable>(
    _ requests: RequestStream, window: Int,
    transform: @escaping @Sendable ([UInt8]) async -> Output,
    emit: @escaping @Sendable (Output) async throws -> Void
) async throws {
    let (pending, continuation) = AsyncStream.makeStream(of: Task<Output, Never>.self)
    let slots = StreamWindow<Output>(size: max(1, window))
    try await withTaskCancellationHandler {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { continuation.finish() }
                for try await message in requests {
                    guard await slots.acquire() else { return }
                    let task = Task { await transform(message) }
                    slots.track(task)
                    continuation.yield(task)
                }
            }
            group.addTask {
                defer { slots.close() }
                for await task in pending {
                    let output = await task.value
                    slots.release(task)
                    try Task.checkCancellation()
                    try await emit(output)
                }
            }
            try await group.waitForAll()
        }
    } onCancel: {
        slots.close()
    }
}

/// The in-flight window of one stream: a counting semaphore that can be closed, plus the
/// transform tasks it admitted (cancelled on close).
final class StreamWindow<Output: Sendable>: Sendable {
    private struct State {
        var free: Int
        var closed = false
        var waiters: [CheckedContinuation<Bool, Never>] = []
        var tasks: Set<Task<Output, Never>> = []
    }

    private let state: Mutex<State>

    init(size: Int) {
        state = Mutex(State(free: size))
    }

    /// Waits for a free slot; false once the window is closed.
    func acquire() async -> Bool {
        await withCheckedContinuation { continuation in
            let granted: Bool? = state.withLock { s in
                if s.closed { return false }
                if s.free > 0 {
                    s.free -= 1
                    return true
                }
                s.waiters.append(continuation)
                return nil
            }
            if let granted { continuation.resume(returning: granted) }
        }
    }

    func track(_ task: Task<Output, Never>) {
        let cancelNow = state.withLock { s in
            if s.closed { return true }
            s.tasks.insert(task)
            return false
        }
        if cancelNow { task.cancel() }
    }

    /// Frees the slot of a finished task.
    func release(_ task: Task<Output, Never>) {
        let waiter = state.withLock { s -> CheckedContinuation<Bool, Never>? in
            s.tasks.remove(task)
            if s.waiters.isEmpty {
                s.free += 1
                return nil
            }
            return s.waiters.removeFirst()
        }
        waiter?.resume(returning: true)
    }

    /// Refuses further slots, wakes waiters and cancels admitted tasks.
    func close() {
        let (waiters, tasks) = state.withLock { s in
            s.closed = true
            defer {
                s.waiters = []
                s.tasks = []
            }
            return (s.waiters, Array(s.tasks))
        }
        for waiter in waiters { waiter.resume(returning: false) }
        for task in tasks { task.cancel() }
    }
}
