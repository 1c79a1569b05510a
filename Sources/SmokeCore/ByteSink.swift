import Foundation

/// A growable byte buffer that becomes a `Data` without a copy. Appending to `[UInt8]` checks
/// uniqueness on every byte, and `Data([UInt8])` then copies the megabytes of a large render once
/// more (and appending its final newline, often once again).
struct ByteSink: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private var count = 0
    private var capacity: Int

    init(capacity: Int = 1 << 14) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    deinit { base.deallocate() }

    private mutating func reserve(_ extra: Int) {
        guard count + extra > capacity else { return }
        var grown = capacity * 2
        while grown < count + extra { grown *= 2 }
        let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
        moved.update(from: base, count: count)
        base.deallocate()
        base = moved
        capacity = grown
    }

    mutating func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        reserve(bytes.count)
        (base + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { append($0) }
    }

    mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { append($0) }
    }

    mutating func appendSpaces(_ width: Int) {
        reserve(width)
        (base + count).initialize(repeating: 0x20, count: width)
        count += width
    }

    /// The bytes written, handed over whole: the buffer now belongs to the `Data`.
    consuming func finish() -> Data {
        let data = Data(
            bytesNoCopy: base, count: count,
            deallocator: .custom { pointer, _ in pointer.assumingMemoryBound(to: UInt8.self).deallocate() })
        discard self
        return data
    }
}
