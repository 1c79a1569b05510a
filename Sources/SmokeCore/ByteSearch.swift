import Foundation

/// Substring search over raw bytes: the secret scans look for ASCII keys and tokens in text that
/// may be large or not valid UTF-8, where `String.contains` is slow or not applicable.
public enum ByteSearch {
    /// Whether `needle` occurs in `haystack`: memchr to each candidate first byte, memcmp to confirm.
    public static func contains(_ haystack: UnsafeBufferPointer<UInt8>, _ needle: UnsafeBufferPointer<UInt8>) -> Bool {
        let length = needle.count
        guard length > 0 else { return true }
        guard haystack.count >= length, let base = haystack.baseAddress, let pin = needle.baseAddress else {
            return false
        }
        let last = haystack.count - length
        var start = 0
        while start <= last {
            guard let found = memchr(base + start, Int32(pin[0]), last - start + 1) else { return false }
            let offset = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            if memcmp(base + offset, pin, length) == 0 { return true }
            start = offset + 1
        }
        return false
    }

    public static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        haystack.withUnsafeBufferPointer { hay in needle.withUnsafeBufferPointer { contains(hay, $0) } }
    }
}
