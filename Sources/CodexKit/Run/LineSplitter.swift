import Foundation

/// Cuts a byte stream into lines as chunks arrive. Only the unfinished tail is buffered, and at
/// most `maximumLineLength` bytes of it: a line longer than that (a child flooding output with
/// no newline) is handed on in pieces as it streams, so memory stays bounded whatever arrives.
public struct LineSplitter: Sendable {
    /// Lines up to this length are delivered whole; longer ones in pieces.
    public static let defaultMaximumLineLength = 32 << 20
    /// Bytes held back when a piece is cut, so a cut falls at a separator rather than inside a
    /// token (a secret cut in two could not be redacted).
    static let cutWindow = 4096

    private var pending = Data()
    private var overlong = false
    public let maximumLineLength: Int

    public init(maximumLineLength: Int = Int.max) {
        self.maximumLineLength = max(maximumLineLength, 2 * Self.cutWindow)
    }

    /// What a bounded feed delivers.
    public enum Piece {
        /// A complete line (without its newline) of at most `maximumLineLength` bytes.
        case line(Data)
        /// Part of an overlong line; `ends` on its last part (the newline itself is not included).
        case part(Data, ends: Bool)
    }

    /// Appends a chunk and calls `line` for every completed line (without its newline).
    public mutating func feed(_ chunk: UnsafeRawBufferPointer, line: (Data) throws -> Void) rethrows {
        try feed(chunk) { (piece: Piece) throws in
            switch piece {
            case .line(let data): try line(data)
            case .part(let data, _): try line(data)
            }
        }
    }

    public mutating func feed(_ data: Data, line: (Data) throws -> Void) rethrows {
        try data.withUnsafeBytes { try feed($0, line: line) }
    }

    /// Appends a chunk; complete lines and the parts of overlong lines go to `piece` in order.
    public mutating func feed(_ chunk: UnsafeRawBufferPointer, piece: (Piece) throws -> Void) rethrows {
        guard !chunk.isEmpty else { return }
        var start = 0
        let bytes = chunk.bindMemory(to: UInt8.self)
        let base = chunk.baseAddress!
        while start < bytes.count, let found = memchr(base + start, 0x0A, bytes.count - start) {
            let offset = base.distance(to: UnsafeRawPointer(found))
            if overlong {
                pending.append(contentsOf: bytes[start..<offset])
                try piece(.part(pending, ends: true))
                pending = Data()
                overlong = false
            } else if pending.isEmpty {
                try piece(.line(Data(bytes[start..<offset])))
            } else {
                pending.append(contentsOf: bytes[start..<offset])
                try piece(.line(pending))
                pending.removeAll(keepingCapacity: pending.count <= 1 << 20)
            }
            start = offset + 1
        }
        if start < bytes.count { pending.append(contentsOf: bytes[start...]) }
        if pending.count > maximumLineLength || (overlong && pending.count > 2 * Self.cutWindow) {
            try spill(piece)
        }
    }

    /// Hands on all but the last `cutWindow` bytes of the pending overlong line, cut just after
    /// a separator when one is near.
    private mutating func spill(_ piece: (Piece) throws -> Void) rethrows {
        var cut = pending.count - Self.cutWindow
        let separators: Set<UInt8> = [0x20, 0x09, 0x22, 0x27, 0x2C, 0x3A, 0x3B, 0x7B, 0x7D, 0x5B, 0x5D, 0x3D, 0x26]
        let lowest = max(pending.startIndex, pending.startIndex + cut - Self.cutWindow)
        var index = pending.startIndex + cut - 1
        while index >= lowest {
            if separators.contains(pending[index]) {
                cut = index + 1 - pending.startIndex
                break
            }
            index -= 1
        }
        overlong = true
        try piece(.part(Data(pending.prefix(cut)), ends: false))
        pending = Data(pending.dropFirst(cut))
    }

    /// The last line when the stream ended without a newline (a killed writer leaves one).
    public mutating func finishLine(_ line: (Data) throws -> Void) rethrows {
        try finish { (piece: Piece) throws in
            switch piece {
            case .line(let data): try line(data)
            case .part(let data, _): try line(data)
            }
        }
    }

    public mutating func finish(piece: (Piece) throws -> Void) rethrows {
        guard !pending.isEmpty || overlong else { return }
        let last = pending
        pending = Data()
        if overlong {
            overlong = false
            try piece(.part(last, ends: true))
        } else {
            try piece(.line(last))
        }
    }
}
