import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import SmokeCore
import Synchronization

/// The model side of a scripted stage: an OpenAI Responses-API endpoint on an ephemeral
/// 127.0.0.1 port that answers `POST /v1/responses` from a `ModelScript`, and records the MCP
/// tools Codex offered in its first request.
public final class ScriptedModelServer: Sendable {
    public let port: Int
    public var baseURL: String { Self.baseURL(port: port) }
    public static func baseURL(port: Int) -> String { "http://127.0.0.1:\(port)/v1" }
    private let model: ScriptedModel
    private let channel: any Channel
    private let group: MultiThreadedEventLoopGroup

    public var requestCount: Int { model.requestCount }
    public var offeredTools: OfferedTools? { model.offeredTools }

    private init(port: Int, model: ScriptedModel, channel: any Channel, group: MultiThreadedEventLoopGroup) {
        self.port = port
        self.model = model
        self.channel = channel
        self.group = group
    }

    public static func start(script: ModelScript) async throws(SmokeError) -> ScriptedModelServer {
        try await start(script: script, listener: LoopbackListener.open())
    }

    /// Serves on `listener`, which the server owns from here on (closed when it shuts down).
    public static func start(script: ModelScript, listener: LoopbackListener) async throws(SmokeError)
        -> ScriptedModelServer
    {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let model = ScriptedModel(script: script)
        do {
            let channel = try await ServerBootstrap(group: group)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        try channel.pipeline.syncOperations.addHandler(ResponsesHandler(model: model))
                    }
                }
                .withBoundSocket(listener.descriptor).get()
            return ScriptedModelServer(port: listener.port, model: model, channel: channel, group: group)
        } catch {
            // Not closed here: NIO may already have closed it with the failed channel, and a second
            // close could hit a descriptor another thread has opened since. The process ends anyway.
            try? await group.shutdownGracefully()
            throw SmokeError(
                .modelServerFailed, "scripted model server: cannot serve on 127.0.0.1:\(listener.port): \(error)")
        }
    }

    /// Closes the listener and every open connection (including ones a fault step left hanging).
    public func shutdown() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }
}

/// The script's position and what Codex's requests revealed; shared by all connections.
final class ScriptedModel: Sendable {
    private struct State {
        var script: ModelScript
        var requests = 0
        /// Steps taken per conversation (Codex's `prompt_cache_key`), so one server can serve
        /// several `codex exec` runs, each from the first step.
        var stepsByConversation: [String: Int] = [:]
        var offered: OfferedTools?
    }

    private let state: Mutex<State>

    init(script: ModelScript) { state = Mutex(State(script: script)) }

    var requestCount: Int { state.withLock { $0.requests } }
    var offeredTools: OfferedTools? { state.withLock { $0.offered } }

    /// Takes the next step for a request body.
    func answer(body: Data) -> (step: ModelScript.Step, index: Int) {
        // One parse serves both; a body that is not JSON still gets the script's next step.
        let request = try? JSONValue.parse(body, source: "model request")
        let offered = request.flatMap { OfferedTools(request: $0) }
        let conversation = request?["prompt_cache_key"]?.stringValue ?? ""
        return state.withLock { state in
            if state.offered == nil, let offered { state.offered = offered }
            let step = state.stepsByConversation[conversation, default: 0]
            state.stepsByConversation[conversation] = step + 1
            let index = state.requests
            state.requests += 1
            return (state.script.step(at: step), index)
        }
    }
}

/// One HTTP/1.1 connection: collects a request, answers it from the script.
final class ResponsesHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let model: ScriptedModel
    private var head: HTTPRequestHead?
    private var body = Data()

    init(model: ScriptedModel) { self.model = model }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.removeAll(keepingCapacity: true)
        case .body(var buffer):
            if let bytes = buffer.readBytes(length: buffer.readableBytes) { body.append(contentsOf: bytes) }
        case .end:
            guard let head else { return }
            self.head = nil
            respond(context: context, head: head)
        }
    }

    private func respond(context: ChannelHandlerContext, head: HTTPRequestHead) {
        guard head.method == .POST, head.uri.hasSuffix("/responses") else {
            send(
                context: context, status: .notFound, contentType: "application/json",
                body: Data("{\"error\":{\"message\":\"the scripted model serves POST /v1/responses only\"}}".utf8))
            return
        }
        let (step, index) = model.answer(body: body)
        switch step {
        case .calls(let calls):
            send(
                context: context, status: .ok, contentType: "text/event-stream",
                body: ModelScript.eventStream(calls: calls, message: nil, requestIndex: index))
        case .message(let text):
            send(
                context: context, status: .ok, contentType: "text/event-stream",
                body: ModelScript.eventStream(calls: [], message: text, requestIndex: index))
        case .httpError(let status, let text):
            send(
                context: context, status: HTTPResponseStatus(statusCode: status), contentType: "application/json",
                body: Data(text.utf8))
        case .hangBeforeHeaders:
            break  // the connection stays open and silent until the server shuts down
        case .hangAfterHeaders:
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "text/event-stream")
            context.writeAndFlush(
                wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .ok, headers: headers))),
                promise: nil)
        }
    }

    private func send(context: ChannelHandlerContext, status: HTTPResponseStatus, contentType: String, body: Data) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: String(body.count))
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        var buffer = context.channel.allocator.buffer(capacity: body.count)
        buffer.writeBytes(body)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}
