import NIOCore

/// Runs handler tasks on a connection's event loop, so a handler's reads and writes need no
/// thread hop (the transport state they touch is confined to that loop).
final class EventLoopTaskExecutor: TaskExecutor {
    let loop: any EventLoop

    init(loop: any EventLoop) {
        self.loop = loop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        loop.execute {
            unowned.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
