import Foundation

/// Whether this test process (and so the tools built beside it) runs under AddressSanitizer or
/// ThreadSanitizer (`make sanitize`). Instrumented builds are several times slower and their
/// shadow memory dominates RSS, so a few bounds that measure the build rather than the behaviour
/// are adjusted there, and only there.
public enum Sanitizer {
    public static let active: Bool = {
        let handle = dlopen(nil, RTLD_NOW)
        defer { if let handle { dlclose(handle) } }
        return dlsym(handle, "__asan_init") != nil || dlsym(handle, "__tsan_init") != nil
    }()

    /// Wall seconds a sanitized tool spends launching and exiting (shadow memory set-up, the
    /// exit-time reports), measured once on a run that fails at once; 0 outside a sanitizer. A
    /// test timing a whole tool run adds it to a bound about the tool's own deadline.
    public static func launchAllowance(_ tool: String, failingWith arguments: [String]) -> Double {
        guard active else { return 0 }
        let began = Date()
        _ = try? ToolRun.run(tool, arguments)
        return Date().timeIntervalSince(began)
    }
}
