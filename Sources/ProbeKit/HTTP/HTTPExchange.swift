import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import SmokeCore

/// What the server sent back for one request, as far as it was read.
struct HTTPAnswer: Sendable {
    var status: Int
    var headers: HTTPHeaders
    /// The bytes read, never more than the cap.
    var body: [UInt8]
    /// The answer ran over the body cap; reading stopped there.
    var tooLarge: Bool
    /// Set when the answer was an event stream read for a JSON-RPC response.
    var stream: EventStreamSummary?

    var contentType: String? { headers.first(name: "content-type") }

    /// An answer built from plain pairs (for unit tests of the verdict rules).
    init(status: Int, headers: [(String, String)], body: [UInt8], stream: EventStreamSummary? = nil) {
        self.init(status: status, headers: HTTPHeaders(headers), body: body, tooLarge: false, stream: stream)
    }

    init(status: Int, headers: HTTPHeaders, body: [UInt8], tooLarge: Bool, stream: EventStreamSummary? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.tooLarge = tooLarge
        self.stream = stream
    }

    /// `application/json; charset=utf-8` → `application/json`.
    var mediaType: String? {
        contentType?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
    }
}

/// What an SSE answer contained: the matching JSON-RPC response if it came, and what was skipped.
struct EventStreamSummary: Sendable {
    var response: JSONValue?
    var events = 0
    var skipped = 0
    var comments = 0
    var endedMidEvent = false

    /// Takes in parsed events until the response to `id` is among them; returns whether it was.
    /// Notifications, server requests, other ids and other event types are counted as skipped.
    mutating func absorb(_ parsed: [SSEEvent], expecting id: JSONValue) -> Bool {
        for event in parsed {
            events += 1
            if event.type == "message", let message = try? JSONValue.parse(Data(event.data.utf8), source: "sse"),
                MCPHTTPClient.isResponse(message, to: id)
            {
                response = message
                return true
            }
            skipped += 1
        }
        return false
    }

    /// Records how the stream ended, once reading stopped.
    mutating func finish(_ parser: SSEParser) {
        comments = parser.commentCount
        endedMidEvent = response == nil && parser.pendingEvent
    }
}

/// Why an exchange produced no HTTP answer.
enum TransportFailure: Sendable, Error {
    case refused(String)
    case reset(String)
    case timeout(String)
    /// The peer spoke something that is not HTTP.
    case protocolError(String)
}

/// Partial progress of an exchange, so a timeout or a cut can still report status, first bytes
/// and how much of the body arrived.
final class ExchangeProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var _status: Int?
    private var _headers: HTTPHeaders?
    private var _body: [UInt8] = []
    private var _received = 0

    func record(status: Int, headers: HTTPHeaders) {
        lock.withLock {
            _status = status
            _headers = headers
        }
    }

    /// Counts every body byte; keeps the first `limit` of them.
    func append(_ bytes: some Collection<UInt8>, limit: Int) {
        lock.withLock {
            _received += bytes.count
            if _body.count < limit { _body.append(contentsOf: bytes.prefix(limit - _body.count)) }
        }
    }

    var snapshot: (status: Int?, headers: HTTPHeaders?, body: [UInt8]) {
        lock.withLock { (_status, _headers, _body) }
    }

    /// What arrived of an answer whose exchange failed after its head: nil before the head.
    var partial: PartialBody? {
        lock.withLock {
            guard let status = _status else { return nil }
            let length = _headers?.first(name: "content-length").flatMap {
                Int($0.trimmingCharacters(in: .whitespaces))
            }
            return PartialBody(status: status, received: _received, expected: length)
        }
    }
}

/// The body of an answer that stopped coming: its status, the bytes that arrived and the
/// `Content-Length` it announced (a cut answer is told apart from a slow one by these).
struct PartialBody: Sendable, Equatable {
    var status: Int
    var received: Int
    var expected: Int?
}

/// The one HTTP client of a run: no automatic redirects (each hop is shown in the attempts), no
/// connection-establishment retries (a refusal must surface at once, the probe does the
/// backoff), HTTP/1.1 only (MCP servers on loopback speak it; h2 upgrades would hide errors).
final class MCPHTTPClient: Sendable {
    let client: HTTPClient
    let maxBodyBytes: Int
    /// How much of a non-2xx answer is worth reading: enough for a JSON-RPC error and a preview.
    static let errorBodyLimit = 4096

    init(maxBodyBytes: Int, connectTimeout: Duration) {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .milliseconds(max(1, connectTimeout.milliseconds))),
            decompression: .disabled)
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.httpVersion = .http1Only
        self.client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
        self.maxBodyBytes = maxBodyBytes
    }

    func shutdown() async {
        try? await client.shutdown()
    }

    /// One exchange, bounded by `timeout` from first byte out to last byte in. For an event
    /// stream, reading stops as soon as the response with `expectID` arrived.
    func send(
        method: HTTPMethod, url: URL, headers: [(String, String)], body: Data?, expectID: JSONValue?,
        timeout: Duration
    ) async -> (Result<HTTPAnswer, TransportFailure>, PartialBody?) {
        let progress = ExchangeProgress()
        let deadline = ContinuousClock.now + timeout
        let result = await withTaskGroup(of: Result<HTTPAnswer, TransportFailure>?.self) { group in
            group.addTask {
                await self.perform(
                    method: method, url: url, headers: headers, body: body, expectID: expectID,
                    timeout: timeout, progress: progress)
            }
            group.addTask {
                do { try await Task.sleep(until: deadline, clock: .continuous) } catch { return nil }
                return .failure(.timeout(Self.timeoutMessage(timeout: timeout, progress: progress)))
            }
            var outcome: Result<HTTPAnswer, TransportFailure> = .failure(.timeout("cancelled"))
            for await result in group {
                if let result {
                    outcome = result
                    break
                }
            }
            group.cancelAll()
            return outcome
        }
        if case .failure = result { return (result, progress.partial) }
        return (result, nil)
    }

    static func timeoutMessage(timeout: Duration, progress: ExchangeProgress) -> String {
        let seconds = String(format: "%.3g", Double(timeout.milliseconds) / 1000)
        let snapshot = progress.snapshot
        guard let status = snapshot.status else { return "no answer within \(seconds) s" }
        return
            "answer incomplete after \(seconds) s (status \(status), \(progress.partial?.received ?? 0) body bytes read)"
    }

    private func perform(
        method: HTTPMethod, url: URL, headers: [(String, String)], body: Data?, expectID: JSONValue?,
        timeout: Duration, progress: ExchangeProgress
    ) async -> Result<HTTPAnswer, TransportFailure> {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        do {
            let response = try await client.execute(request, timeout: .milliseconds(max(1, timeout.milliseconds)))
            let status = Int(response.status.code)
            progress.record(status: status, headers: response.headers)
            var answer = HTTPAnswer(status: status, headers: response.headers, body: [], tooLarge: false)
            let success = (200..<300).contains(status)
            let isStream = answer.mediaType == "text/event-stream"
            if success && isStream && expectID == nil {
                // A notification needs no body; a stream here would only keep the exchange open.
                return .success(answer)
            }
            let limit = success ? maxBodyBytes : Self.errorBodyLimit
            // An event stream is parsed as it arrives, so reading stops at the response.
            let streamID = isStream && success ? expectID : nil
            var parser = SSEParser()
            var summary = EventStreamSummary()
            for try await chunk in response.body {
                let bytes = chunk.readableBytesView
                if answer.body.count + bytes.count > limit {
                    answer.body.append(contentsOf: bytes.prefix(limit - answer.body.count))
                    answer.tooLarge = success
                    break
                }
                answer.body.append(contentsOf: bytes)
                progress.append(bytes, limit: 512)
                if let streamID, summary.absorb(parser.feed(bytes), expecting: streamID) { break }
            }
            if streamID != nil {
                summary.finish(parser)
                answer.stream = summary
            }
            return .success(answer)
        } catch {
            return .failure(Self.classify(error, progress: progress))
        }
    }

    /// A JSON-RPC response (result or error) carrying `id`. Requests and notifications the
    /// server interleaves on the stream are not it.
    static func isResponse(_ message: JSONValue, to id: JSONValue) -> Bool {
        guard message["id"] == id else { return false }
        return message["result"] != nil || message["error"] != nil
    }

    /// Maps the many error types of NIO and AsyncHTTPClient onto the probe's retry classes.
    static func classify(_ error: any Error, progress: ExchangeProgress) -> TransportFailure {
        let headersSeen = progress.snapshot.status != nil
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout: return .timeout("TCP connect timed out")
            case .readTimeout, .deadlineExceeded, .cancelled:
                return .timeout(headersSeen ? "answer body did not complete in time" : "no answer in time")
            case .remoteConnectionClosed:
                return .reset(
                    headersSeen
                        ? "server closed the connection mid-body (\(progress.partial?.received ?? 0) bytes read)"
                        : "server closed the connection without answering")
            default: return .reset("HTTP client: \(error)")
            }
        }
        if let error = error as? HTTPParserError {
            if case .invalidEOFState = error {
                return .reset("server closed the connection mid-body (\(progress.partial?.received ?? 0) bytes read)")
            }
            return .protocolError("not an HTTP answer: \(error)")
        }
        if let error = error as? NIOConnectionError {
            let underlying = error.connectionErrors.map(\.error)
            if underlying.contains(where: { isErrno($0, ECONNREFUSED) }) {
                return .refused("connection refused (\(error.host):\(error.port))")
            }
            if let first = underlying.first { return classify(first, progress: progress) }
            return .refused("cannot connect to \(error.host):\(error.port)")
        }
        if isErrno(error, ECONNREFUSED) { return .refused("connection refused") }
        if isErrno(error, ECONNRESET) || isErrno(error, EPIPE) { return .reset("connection reset by peer") }
        if let error = error as? ChannelError {
            switch error {
            case .connectTimeout: return .timeout("TCP connect timed out")
            case .eof, .ioOnClosedChannel, .outputClosed, .inputClosed, .alreadyClosed:
                return .reset("connection closed: \(error)")
            default: return .reset("channel error: \(error)")
            }
        }
        if error is CancellationError { return .timeout("no answer in time") }
        return .reset("\(error)")
    }

    static func isErrno(_ error: any Error, _ code: Int32) -> Bool {
        (error as? IOError)?.errnoCode == code
    }
}
