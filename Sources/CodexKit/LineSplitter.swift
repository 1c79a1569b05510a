import Foundation

/// Cuts a byte stream into lines as chunks arrive. Only the unfinished tail is buffered, so a
/// stream of any length needs memory for one line at a time.
public struct LineSplitter: Sendable {
    private var pending = Data()

    public init() {}

    /// Appends a chunk and calls `line` for every completed line (without its newline).
    public mutating func feed(_ chunk: UnsafeRawBufferPointer, line: (Data) throws -> Void) rethrows {
        guard !chunk.isEmpty else { return }
        var start = 0
        let bytes = chunk.bindMemory(to: UInt8.self)
        let base = chunk.baseAddress!
        while start < bytes.count, let found = memchr(base + start, 0x0A, bytes.count - start) {
            let offset = base.distance(to: UnsafeRawPointer(found))
            if pending.isEmpty {
                try line(Data(bytes[start..<offset]))
            } else {
                pending.append(contentsOf: bytes[start..<offset])
                try line(pending)
                pending.removeAll(keepingCapacity: pending.count <= 1 << 20)
            }
            start = offset + 1
        }
        if start < bytes.count { pending.append(contentsOf: bytes[start...]) }
    }

    public mutating func feed(_ data: Data, line: (Data) throws -> Void) rethrows {
        try data.withUnsafeBytes { try feed($0, line: line) }
    }

    /// The last line when the stream ended without a newline (a killed writer leaves one).
    public mutating func finish(line: (Data) throws -> Void) rethrows {
        guard !pending.isEmpty else { return }
        let last = pending
        pending = Data()
        try line(last)
    }
}
