import Foundation
import NIOCore
import NIOPosix

/// One TCP connect to the endpoint's host and port, closed at once: `--wait-port` tells "nothing
/// listens yet" apart from "listens but does not answer HTTP".
enum PortWaiter {
    static func connect(host: String, port: Int, timeout: Duration) async -> (AttemptOutcome, String?) {
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.milliseconds(max(1, timeout.milliseconds)))
        do {
            let channel = try await bootstrap.connect(host: host, port: port).get()
            try? await channel.close()
            return (.portOpen, nil)
        } catch {
            switch MCPHTTPClient.classify(error, progress: ExchangeProgress()) {
            case .refused(let text): return (.portRefused, text)
            case .timeout(let text): return (.portTimeout, text)
            case .reset(let text), .protocolError(let text): return (.portRefused, text)
            }
        }
    }
}
