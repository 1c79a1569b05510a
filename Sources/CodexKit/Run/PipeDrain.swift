import Foundation

/// Reads a child's stdout or stderr to its end on a thread of its own, writing each line to its
/// file and handing it on as it arrives. Not a task on the cooperative pool: the heartbeat
/// timeout judges when the child last wrote, and a pool kept busy elsewhere in the process (tests
/// run stages in-process, beside other tests) would leave lines unread and a talking child
/// looking silent.
struct PipeDrain: Sendable {
    /// The end the child writes to (handed to the spawn, which closes it) and the end read here.
    let readEnd: Int32
    let writeEnd: Int32

    /// Both ends close-on-exec: a child spawned meanwhile by another thread must not inherit the
    /// write end, or this reader would not see the end of the stream until that child exits.
    init() throws {
        var ends: [Int32] = [-1, -1]
        guard Self.pipe2(&ends, O_CLOEXEC) == 0 else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EMFILE)
        }
        readEnd = ends[0]
        writeEnd = ends[1]
    }

    /// glibc's pipe2, which the Glibc module does not import (it is declared under _GNU_SOURCE).
    private static let pipe2: @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32 = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "pipe2") else {
            fatalError("libc has no pipe2")
        }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32).self)
    }()

    /// Reads until end of file, then closes the read end. `line` gets each (redacted) line,
    /// `activity` is called as each one arrives, `ended` at the end of the stream (on this thread,
    /// so the watchdog learns it at once).
    func drain<Sink: Sendable>(
        into file: LineFile, _ initial: Sink, name: String, activity: @escaping @Sendable () -> Void,
        ended: @escaping @Sendable () -> Void, line: @escaping @Sendable (inout Sink, Data) -> Void
    ) async -> Sink {
        let fd = readEnd
        return await withCheckedContinuation { (done: CheckedContinuation<Sink, Never>) in
            let thread = Thread {
                var sink = initial
                var splitter = LineSplitter(maximumLineLength: LineSplitter.defaultMaximumLineLength)
                var overlong = OverlongLine()
                var buffer = [UInt8](repeating: 0, count: 64 << 10)
                while true {
                    let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                    if count < 0, errno == EINTR { continue }
                    guard count > 0 else { break }
                    buffer.withUnsafeBytes { bytes in
                        splitter.feed(UnsafeRawBufferPointer(rebasing: bytes[0..<count])) { piece in
                            overlong.deliver(piece, to: file) { line(&sink, $0) }
                            activity()
                        }
                    }
                }
                splitter.finish { piece in
                    overlong.deliver(piece, to: file) { line(&sink, $0) }
                }
                close(fd)
                ended()
                done.resume(returning: sink)
            }
            thread.name = name
            thread.start()
        }
    }
}
