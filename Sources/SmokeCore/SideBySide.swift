import Foundation
import Synchronization

/// Two independent pieces of work on both cores: the second on its own thread, the first on the
/// caller's. A plain thread rather than a task, so a caller inside Swift concurrency that blocks
/// here never waits on the cooperative pool it is itself holding.
public enum SideBySide {
    public static func run<First, Second: Sendable>(
        _ first: () -> First, _ second: @escaping @Sendable () -> Second
    ) -> (First, Second) {
        let slot = ResultSlot<Second>()
        let thread = Thread { slot.fill(second()) }
        thread.stackSize = 8 << 20  // The JSON walks recurse as deep as the documents nest.
        thread.start()
        let firstResult = first()
        return (firstResult, slot.take())
    }
}

/// One value handed from a thread to the waiting caller. The value is behind a lock (which
/// ThreadSanitizer sees as ordering the write before the read); the semaphore only wakes the caller.
private final class ResultSlot<Value: Sendable>: Sendable {
    private let value = Mutex<Value?>(nil)
    private let filled = DispatchSemaphore(value: 0)

    func fill(_ value: sending Value) {
        self.value.withLock { $0 = value }
        filled.signal()
    }

    func take() -> Value {
        filled.wait()
        return value.withLock { $0! }
    }
}
