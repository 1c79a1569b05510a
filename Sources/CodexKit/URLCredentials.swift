import Foundation
import SmokeCore

/// An `--mcp-url` may carry `user:password@`. Codex needs it in config.toml (0600), but it must
/// never reach the answer, the log or the transcript, so both spellings join the redactor.
public enum URLCredentials {
    public static func register(in text: String) {
        guard let components = URLComponents(string: text) else { return }
        for value in [components.password, components.percentEncodedPassword].compactMap({ $0 }) {
            Redactor.shared.add(value)
        }
        if components.password == nil {
            for value in [components.user, components.percentEncodedUser].compactMap({ $0 }) {
                Redactor.shared.add(value)
            }
        }
    }
}
