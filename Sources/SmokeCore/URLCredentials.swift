import Foundation

/// A URL given on the command line (codex-stage `--mcp-url`, probe-initialize `--url`) may carry
/// `user:password@`. The tool may need it, but it must never reach the answer, the log or a
/// transcript, so both spellings (as written and percent-decoded) join the redactor.
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
