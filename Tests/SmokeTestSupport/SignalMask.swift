import Foundation

/// Test threads (Swift concurrency / dispatch workers) run with most signals blocked, and
/// Foundation's `Process` passes the spawning thread's mask on to the child. A child with SIGTERM
/// blocked cannot be stopped gracefully, so every spawn goes through here with an empty mask.
enum SignalMask {
    static func withUnblockedSignals<T>(_ body: () throws -> T) rethrows -> T {
        var empty = sigset_t()
        var previous = sigset_t()
        sigemptyset(&empty)
        pthread_sigmask(SIG_SETMASK, &empty, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        return try body()
    }
}
