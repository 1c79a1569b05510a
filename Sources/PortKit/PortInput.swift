import Foundation
import SmokeCore

/// Parsing of the port-shaped command-line values. Every failure is invalid input (exit 2)
/// with a code naming what was wrong.
public enum PortInput {
    public static let validPorts = 1...65535

    /// A TCP port 1–65535. `flag` names the option in the message.
    public static func port(_ text: String, flag: String = "--port") throws(SmokeError) -> Int {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let value = Int(trimmed), validPorts.contains(value) else {
            throw SmokeError(.invalidPort, "\(flag) \(quoted(text)): expected a TCP port 1-65535")
        }
        return value
    }

    /// `LO-HI` (or one port `P`), 1 ≤ LO ≤ HI ≤ 65535.
    public static func range(_ text: String) throws(SmokeError) -> ClosedRange<Int> {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        let bounds = parts.map { Int($0) }
        guard (1...2).contains(parts.count), bounds.allSatisfy({ $0 != nil }) else {
            throw SmokeError(.invalidRange, "--range \(quoted(text)): expected LO-HI, e.g. 18000-24000")
        }
        let low = bounds[0]!
        let high = bounds[bounds.count - 1]!
        guard validPorts.contains(low), validPorts.contains(high) else {
            throw SmokeError(.invalidRange, "--range \(quoted(text)): ports must be within 1-65535")
        }
        guard low <= high else {
            throw SmokeError(.invalidRange, "--range \(quoted(text)): LO \(low) is greater than HI \(high)")
        }
        return low...high
    }

    /// `P,Q,…` (empty means none), sorted and deduplicated.
    public static func excludeList(_ text: String) throws(SmokeError) -> [Int] {
        var ports: Set<Int> = []
        for item in text.split(separator: ",") {
            let entry = item.trimmingCharacters(in: .whitespaces)
            if entry.isEmpty { continue }
            guard let value = Int(entry), validPorts.contains(value) else {
                throw SmokeError(
                    .invalidExclude, "--exclude \(quoted(text)): \(quoted(entry)) is not a TCP port 1-65535")
            }
            ports.insert(value)
        }
        return ports.sorted()
    }

    /// A seed 0 … 2^63-1 (JSON integers are signed 64-bit; the seed is echoed in the answer).
    public static func seed(_ text: String) throws(SmokeError) -> UInt64 {
        guard let value = UInt64(text.trimmingCharacters(in: .whitespaces)), value <= UInt64(Int64.max) else {
            throw SmokeError(.invalidSeed, "--seed \(quoted(text)): expected an integer 0-\(Int64.max)")
        }
        return value
    }

    /// Grace period `--grace SEC`, 0 … 600 seconds (ten minutes bounds any wait the tool does),
    /// fractions allowed like every other time flag of the tools.
    public static func graceSeconds(_ text: String) throws(SmokeError) -> Duration {
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite, (0...600).contains(value)
        else {
            throw SmokeError(.invalidGrace, "--grace \(quoted(text)): expected seconds 0-600")
        }
        return .milliseconds(Int64((value * 1000).rounded()))
    }

    /// The older `--grace-ms MS`, 0 … 600000.
    public static func graceMilliseconds(_ text: String) throws(SmokeError) -> Duration {
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)), (0...600_000).contains(value) else {
            throw SmokeError(.invalidGrace, "--grace-ms \(quoted(text)): expected milliseconds 0-600000")
        }
        return .milliseconds(value)
    }

    static func quoted(_ text: String) -> String { "'\(text)'" }
}
