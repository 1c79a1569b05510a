import Foundation
import SmokeCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// MCP's stdio transport over a started server: newline-delimited JSON-RPC on stdin/stdout,
/// stderr collected (last lines kept), every wait bounded by a deadline. Blocking (poll), driven
/// by one thread.
final class StdioSession {
    let child: StdioChild
    let maxLineBytes: Int
    let tailLimit: Int

    private var stdoutBuffer: [UInt8] = []
    private(set) var stdoutOpen = true
    private var stderrOpen = true
    private var stderrPartial: [UInt8] = []
    private var stderrLines: [String] = []
    /// Responses read and not yet claimed, with the size of their line.
    private var responses: [(message: JSONValue, bytes: Int)] = []
    private var nextID: Int64 = 1
    /// Lines on stdout that are not JSON-RPC messages (banners, logs, garbage): skipped, counted.
    private(set) var skippedLines = 0
    private(set) var skippedSample: [String] = []
    /// A stdout line ran past `maxLineBytes` without a newline.
    private(set) var overlong = false
    /// The size of a last stdout line that stdout's end cut short (no newline, not JSON).
    private(set) var cutLineBytes: Int?

    static let sampleLimit = 5
    static let sampleLineLength = 200
    static let stderrLineLength = 400
    /// How often the child's exit is looked at while its stdout stays open (a grandchild may
    /// hold the pipe after the server itself ended).
    static let exitCheckInterval: Int32 = 100
    /// After stdout closed: how long to wait for the last stderr lines and the exit status.
    static let settleTime: Duration = .milliseconds(500)

    init(child: StdioChild, maxLineBytes: Int, tailLimit: Int = 20) {
        self.child = child
        self.maxLineBytes = maxLineBytes
        self.tailLimit = tailLimit
    }

    /// The last stderr lines (a final line without newline included), oldest first.
    var stderrTail: [String] {
        var lines = stderrLines
        if !stderrPartial.isEmpty { lines.append(Self.clip(stderrPartial, Self.stderrLineLength)) }
        return Array(lines.suffix(tailLimit))
    }

    // MARK: - JSON-RPC

    enum Answer {
        /// The response to our request (a result or an error), and the size of its line.
        case response(JSONValue, bytes: Int)
        /// stdout closed or the server ended before the response.
        case closed
        case deadline
        case overlong
        /// The request could not be written (the server closed its stdin).
        case writeFailed(String)
    }

    func request(method: String, params: JSONValue?, until deadline: ContinuousClock.Instant) -> Answer {
        let id = JSONValue.int(nextID)
        nextID += 1
        var message: [String: JSONValue] = ["jsonrpc": "2.0", "id": id, "method": .string(method)]
        if let params { message["params"] = params }
        if let failure = send(.object(message), until: deadline) {
            settle()
            return stdoutOpen && child.status == nil ? .writeFailed(failure) : .closed
        }
        return wait(for: id, until: deadline)
    }

    /// Sends a notification; nil when written, else why not.
    func notify(method: String, until deadline: ContinuousClock.Instant) -> String? {
        send(["jsonrpc": "2.0", "method": .string(method)], until: deadline)
    }

    private func send(_ message: JSONValue, until deadline: ContinuousClock.Instant) -> String? {
        var bytes = [UInt8](message.encoded())
        bytes.append(0x0A)
        return child.write(bytes, until: deadline)
    }

    private func wait(for id: JSONValue, until deadline: ContinuousClock.Instant) -> Answer {
        while true {
            if let index = responses.firstIndex(where: { $0.message["id"] == id }) {
                let response = responses.remove(at: index)
                responses.removeAll()  // answers to ids never asked are of no use
                return .response(response.message, bytes: response.bytes)
            }
            if overlong { return .overlong }
            if !stdoutOpen || child.status != nil {
                // The server may have written its answer and ended: read what the pipe still holds.
                if stdoutOpen { drain(child.stdoutFD, isStdout: true, budget: 4 << 20) }
                if let index = responses.firstIndex(where: { $0.message["id"] == id }) {
                    let response = responses.remove(at: index)
                    return .response(response.message, bytes: response.bytes)
                }
                settle()
                return .closed
            }
            if ContinuousClock.now >= deadline { return .deadline }
            pumpOnce(until: deadline)
        }
    }

    /// Keeps reading (stderr, stray stdout, the exit) until `until`; returns early when the
    /// server ended or closed stdout. Used between polls of a tool wait.
    func idle(until: ContinuousClock.Instant) -> Bool {
        while ContinuousClock.now < until {
            if !stdoutOpen || child.status != nil || overlong {
                settle()
                return false
            }
            pumpOnce(until: until)
        }
        return true
    }

    /// After stdout closed or the server ended: a short bounded wait for the last stderr lines
    /// and the exit status.
    func settle() {
        let until = ContinuousClock.now + Self.settleTime
        while ContinuousClock.now < until {
            child.reap()
            if !stderrOpen && child.status != nil { return }
            if child.status != nil {
                // Ended, but a grandchild may still hold stderr: take what is there and go.
                drain(child.stderrFD, isStdout: false, budget: 4 << 20)
                return
            }
            pumpOnce(until: until)
        }
    }

    // MARK: - Reading

    /// One poll over the open pipes, at most until `deadline` (and at most `exitCheckInterval`).
    private func pumpOnce(until deadline: ContinuousClock.Instant) {
        var fds: [pollfd] = []
        if stdoutOpen { fds.append(pollfd(fd: child.stdoutFD, events: Int16(POLLIN), revents: 0)) }
        if stderrOpen { fds.append(pollfd(fd: child.stderrFD, events: Int16(POLLIN), revents: 0)) }
        let timeout = min(StdioChild.milliseconds(until: deadline), Self.exitCheckInterval)
        if fds.isEmpty {
            StdioChild.nap(milliseconds: min(timeout, 5))
        } else {
            let ready = poll(&fds, nfds_t(fds.count), timeout)
            if ready > 0 {
                for entry in fds where entry.revents != 0 {
                    drain(entry.fd, isStdout: entry.fd == child.stdoutFD, budget: 1 << 20)
                }
            }
        }
        child.reap()
    }

    /// Reads what `fd` holds now (up to `budget` bytes, so one chatty stream cannot starve the
    /// deadline check); EOF closes the stream.
    private func drain(_ fd: Int32, isStdout: Bool, budget: Int) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        var taken = 0
        while taken < budget {
            let count = buffer.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                taken += count
                if isStdout { absorbStdout(buffer[0..<count]) } else { absorbStderr(buffer[0..<count]) }
                continue
            }
            if count < 0 && errno == EINTR { continue }
            if count == 0 || (count < 0 && errno != EAGAIN) {
                if isStdout {
                    stdoutOpen = false
                    if !stdoutBuffer.isEmpty, !consumeStdoutLine(stdoutBuffer[...]) {
                        cutLineBytes = stdoutBuffer.count  // the server ended mid-line
                    }
                    stdoutBuffer = []
                } else {
                    stderrOpen = false
                }
            }
            return
        }
    }

    private func absorbStdout(_ bytes: ArraySlice<UInt8>) {
        guard !overlong else { return }
        var start = bytes.startIndex
        while let newline = bytes[start...].firstIndex(of: 0x0A) {
            if stdoutBuffer.isEmpty {
                consumeStdoutLine(bytes[start..<newline])
            } else {
                stdoutBuffer.append(contentsOf: bytes[start..<newline])
                consumeStdoutLine(stdoutBuffer[...])
                stdoutBuffer.removeAll(keepingCapacity: true)
            }
            start = bytes.index(after: newline)
        }
        stdoutBuffer.append(contentsOf: bytes[start...])
        if stdoutBuffer.count > maxLineBytes {
            overlong = true
            stdoutBuffer = []
        }
    }

    private func absorbStderr(_ bytes: ArraySlice<UInt8>) {
        for byte in bytes {
            if byte == 0x0A {
                pushStderrLine()
            } else if stderrPartial.count < 4 * Self.stderrLineLength {
                stderrPartial.append(byte)
            }
        }
    }

    private func pushStderrLine() {
        stderrLines.append(Self.clip(stderrPartial, Self.stderrLineLength))
        if stderrLines.count > tailLimit { stderrLines.removeFirst(stderrLines.count - tailLimit) }
        stderrPartial.removeAll(keepingCapacity: true)
    }

    /// One stdout line: a response is kept for `wait`, a server request is answered, a
    /// notification ignored; anything else (not JSON, JSON that is not JSON-RPC) is skipped and
    /// counted as evidence. Returns whether the line was JSON.
    @discardableResult
    private func consumeStdoutLine(_ raw: ArraySlice<UInt8>) -> Bool {
        var line = raw
        while let last = line.last, last == 0x0D || last == 0x20 || last == 0x09 { line = line.dropLast() }
        while let first = line.first, first == 0x20 || first == 0x09 { line = line.dropFirst() }
        guard !line.isEmpty else { return true }
        guard let json = try? JSONValue.parse(Data(line), source: "stdout") else {
            skip(line)
            return false
        }
        let messages = json.arrayValue ?? [json]  // a JSON-RPC batch holds several
        var understood = false
        for message in messages {
            guard message.objectValue != nil else { continue }
            if let method = message["method"]?.stringValue {
                understood = true
                if let id = message["id"] { answerServerRequest(id: id, method: method) }
            } else if message["id"] != nil, message["result"] != nil || message["error"] != nil {
                understood = true
                responses.append((message, raw.count))
            }
        }
        if !understood { skip(line) }
        return true
    }

    private func skip(_ line: ArraySlice<UInt8>) {
        skippedLines += 1
        if skippedSample.count < Self.sampleLimit { skippedSample.append(Self.clip(line, Self.sampleLineLength)) }
    }

    /// A server may ping its client; anything else this client does not serve.
    private func answerServerRequest(id: JSONValue, method: String) {
        let answer: JSONValue =
            method == "ping"
            ? ["jsonrpc": "2.0", "id": id, "result": [:]]
            : [
                "jsonrpc": "2.0", "id": id,
                "error": ["code": -32601, "message": .string("Method not found: \(method)")],
            ]
        _ = send(answer, until: ContinuousClock.now + .seconds(1))
    }

    static func clip(_ bytes: some Collection<UInt8>, _ limit: Int) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        return text.count > limit ? String(text.prefix(limit)) + "…" : text
    }
}
