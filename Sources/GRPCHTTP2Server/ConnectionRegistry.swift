import NIOConcurrencyHelpers
import NIOCore

/// The server's live connections, so shutdown can reach each one on its own event loop.
///
/// Thread-safety: the set is guarded by a lock; connections are only called on their loops.
final class ConnectionRegistry: @unchecked Sendable {
    private let lock = NIOLock()
    private var connections: [ObjectIdentifier: HTTP2ServerConnection] = [:]

    func add(_ connection: HTTP2ServerConnection) {
        lock.withLock { connections[ObjectIdentifier(connection)] = connection }
    }

    func remove(_ connection: HTTP2ServerConnection) {
        _ = lock.withLock { connections.removeValue(forKey: ObjectIdentifier(connection)) }
    }

    var count: Int { lock.withLock { connections.count } }

    /// Runs `body` on each connection's event loop.
    func forEach(_ body: @escaping @Sendable (HTTP2ServerConnection) -> Void) {
        let all = lock.withLock { Array(connections.values) }
        for connection in all {
            let box = UnsafeTransfer(connection)
            connection.loop.execute { body(box.value) }
        }
    }
}

/// Carries a loop-confined reference to its own loop (the value is only used there).
struct UnsafeTransfer<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
