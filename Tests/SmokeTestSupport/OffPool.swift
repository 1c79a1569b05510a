import Foundation

/// Runs a blocking body (a child's exit, a server's READY line, a semaphore) on a thread of its
/// own and awaits it, so an async test does not hold one of the cooperative pool's few threads
/// (two on two cores) that the probe, the stage runner and every other async test need.
public func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
