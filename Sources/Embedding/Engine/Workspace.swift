import CEmbeddingKernels

/// The memory one forward pass uses: the planned arena and im2col scratch, sized for a batch.
///
/// Not thread-safe: one workspace serves one thread at a time (the `Embedder` pools them).
/// It only grows, so steady-state passes allocate nothing.
final class Workspace: @unchecked Sendable {
    // @unchecked: a workspace is only touched by the thread that took it from the Embedder's
    // pool (under its lock) until it is returned, so it is never accessed concurrently.
    private(set) var arena: UnsafeMutablePointer<Float>
    private(set) var arenaCapacity: Int
    private(set) var scratch: UnsafeMutablePointer<Float>
    private(set) var scratchCapacity: Int

    init() {
        arenaCapacity = 16
        arena = .allocate(capacity: arenaCapacity)
        scratchCapacity = 16
        scratch = .allocate(capacity: scratchCapacity)
    }

    deinit {
        arena.deallocate()
        scratch.deallocate()
    }

    /// Ensures room for `batch` samples of `plan`.
    func reserve(_ plan: ExecutionPlan, batch: Int) {
        let need = plan.buffers.floatsPerSample * batch + 16
        if need > arenaCapacity {
            arena.deallocate()
            arena = .allocate(capacity: need)
            arenaCapacity = need
        }
        if plan.scratchFloats + 16 > scratchCapacity {
            scratch.deallocate()
            scratchCapacity = plan.scratchFloats + 16
            scratch = .allocate(capacity: scratchCapacity)
        }
    }
}
