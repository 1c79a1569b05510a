import Foundation

/// Checks `condition` every 20 ms until it holds (true) or `seconds` pass (false): for effects
/// of processes the test does not own, such as a file another program writes.
public func awaitCondition(seconds: Double, _ condition: @Sendable () -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while !condition() {
        if ContinuousClock.now >= deadline { return false }
        try await Task.sleep(for: .milliseconds(20))
    }
    return true
}
