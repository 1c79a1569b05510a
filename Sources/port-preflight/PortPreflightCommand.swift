import ArgumentParser
import PortKit
import SmokeCLI
import SmokeCore

@main
struct PortPreflightCommand: ToolMain, ToolCommand {
    static let toolName = "port-preflight"
    static let configuration = CommandConfiguration(
        commandName: toolName,
        abstract: "Find who listens on a TCP port, stop stale listeners safely, or pick a free port.",
        discussion: """
            Listeners come from /proc/net/tcp{,6} (LISTEN rows) mapped to pids through /proc/<pid>/fd. \
            A port is free when nothing listens on it and 127.0.0.1, 0.0.0.0 and :: can be bound. \
            Exit 0 free (or freed), 1 held, 2 invalid input, 3 environment (no free port, bind refused).
            """,
        version: SmokeVersion.current
    )

    @OptionGroup var common: CommonOptions

    @Option(name: .long, help: ArgumentHelp("The TCP port to check (1-65535).", valueName: "N"))
    var port: String?

    @Flag(help: "SIGTERM the listeners, wait --grace, SIGKILL what remains, re-check the port.")
    var kill = false

    @Flag(help: "With --kill: also signal other users' processes (never pid 1, itself or its parent).")
    var force = false

    @Option(help: ArgumentHelp("With --kill: how long SIGTERM may take (default 2).", valueName: "SEC"))
    var grace: String?

    // The older spelling in milliseconds, kept for scripts; every other time flag is in seconds.
    @Option(name: .customLong("grace-ms"), help: ArgumentHelp(visibility: .hidden))
    var graceMs: String?

    @Flag(help: "Pick a free port at random instead of checking one.")
    var random = false

    @Option(help: ArgumentHelp("With --random: the candidate range (default 18000-24000).", valueName: "LO-HI"))
    var range: String?

    @Option(
        help: ArgumentHelp("With --random: ports never chosen (default 8080,9090,9091; '' for none).", valueName: "P,Q")
    )
    var exclude: String?

    @Option(help: ArgumentHelp("With --random: seed that makes the choice reproducible.", valueName: "N"))
    var seed: String?

    func execute() async throws -> ToolOutcome {
        let request = try PreflightFlags(
            port: port, kill: kill, force: force, grace: grace, graceMs: graceMs, random: random, range: range,
            exclude: exclude, seed: seed
        ).request()
        return try await PortPreflight.run(request, log: Log(tool: Self.toolName, quiet: common.quiet))
    }
}
