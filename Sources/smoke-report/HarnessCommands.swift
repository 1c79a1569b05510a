import ArgumentParser
import Foundation
import SmokeCLI
import SmokeCore
import SmokeReportKit

/// The harness subcommands: test steps, restarts, repeated runs, the playbook (docs/smoke-report.md).

struct Tests: ReportSubcommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Write a test step's answer (SMOKE_TESTS_PRE/POST): counts and failing ids from its JUnit report, one error code (exit 1 unless it passed).",
        discussion:
            "Codes: tests_timeout, command_not_found, command_not_executable, missing_dependency, collection_error, tests_failed, no_tests."
    )

    @Option(help: ArgumentHelp("The run directory.", valueName: "DIR")) var run: String
    @Option(help: "The step's name (tests-pre, tests-post).") var step: String
    @Option(help: "The command as given.") var command: String
    @Option(help: "The command line that ran (with --junitxml for pytest); default: --command.") var ran: String?
    @Option(
        parsing: .unconditional, help: ArgumentHelp("Its exit status (124: the timeout fired).", valueName: "STATUS"))
    var exit: Int
    @Option(
        name: .customLong("elapsed-ms"), parsing: .unconditional, help: ArgumentHelp("Its wall time.", valueName: "MS"))
    var elapsedMs: Int = 0
    @Option(help: ArgumentHelp("Its output, relative to the run directory.", valueName: "FILE")) var log: String
    @Option(
        help: ArgumentHelp("The JUnit report it was asked to write, relative to the run directory.", valueName: "FILE"))
    var junit: String?
    @Option(
        name: .customLong("timeout"), parsing: .unconditional,
        help: ArgumentHelp("The timeout it ran under.", valueName: "SECONDS")) var timeout: Int = 0
    @Option(help: ArgumentHelp("Where it ran (pytest's class names become node ids there).", valueName: "DIR")) var cwd:
        String = ""
    @Option(help: ArgumentHelp("The answer file.", valueName: "FILE")) var out: String

    func answer() throws(SmokeError) -> ReportOutput {
        try TestStep.write(
            TestStepRequest(
                run: run, step: step, command: command, ran: ran, exit: exit, elapsedMs: elapsedMs, log: log,
                junit: junit,
                timeoutSeconds: timeout, cwd: cwd, out: out))
    }
}

struct Restart: ReportSubcommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Write a restart step's answer from its phases' answers (re-render, stop, port, start, probe, drift); exit 1 unless it came back.",
        discussion:
            "Codes: the re-render's own, stack_not_stopped, port_in_use (naming who took the port), stack_not_started, stack_exited, restart_timeout, drift."
    )

    @Option(help: ArgumentHelp("The run directory.", valueName: "DIR")) var run: String
    @Option(help: "The step's name.") var step: String
    @Option(help: "The stage it followed.") var stage: String?
    @Option(help: ArgumentHelp("The folder of the phases' answers, relative to the run directory.", valueName: "DIR"))
    var dir: String
    @Option(parsing: .unconditional, help: "The stack's port.") var port: Int
    @Option(
        name: .customLong("timeout"), parsing: .unconditional,
        help: ArgumentHelp("RESTART_TIMEOUT.", valueName: "SECONDS")) var timeout: Int
    @Option(
        name: .customLong("restart-ms"), parsing: .unconditional,
        help: ArgumentHelp("Stop to ready, when it became ready.", valueName: "MS")) var restartMs: Int?
    @Flag(name: .customLong("stack-exited"), help: "The restarted stack exited while the probe waited.")
    var stackExited = false
    @Option(
        name: .customLong("elapsed-ms"), parsing: .unconditional,
        help: ArgumentHelp("The step's wall time.", valueName: "MS")) var elapsedMs: Int = 0
    @Option(help: ArgumentHelp("The answer file.", valueName: "FILE")) var out: String

    func answer() throws(SmokeError) -> ReportOutput {
        try RestartStep.write(
            RestartRequest(
                run: run, step: step, stage: stage, directory: dir, port: port, timeoutSeconds: timeout,
                restartMs: restartMs,
                stackExited: stackExited, elapsedMs: elapsedMs, out: out))
    }
}

struct FlakesCommand: ReportSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "flakes",
        abstract:
            "Put the summaries of repeated runs side by side: per step runs, passes, failures with their codes and run directories (exit 1 when any run failed)."
    )

    @Option(
        parsing: .upToNextOption,
        help: ArgumentHelp("The run directories (each with its summary.json).", valueName: "DIR")) var runs: [String]
    @Option(help: ArgumentHelp("Write flakes.json here (without it: the tally line only).", valueName: "FILE")) var out:
        String?

    func answer() throws(SmokeError) -> ReportOutput {
        try Flakes.write(runs: runs, out: out)
    }
}

struct PlaybookCommand: ReportSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "playbook",
        abstract:
            "Write <run>/playbook.md: each step's exact command (secrets redacted) and the make target that runs it again; print its path."
    )

    @Option(help: ArgumentHelp("The run directory.", valueName: "DIR")) var run: String
    @Option(
        help: ArgumentHelp(
            "A step the run planned (repeatable; those not run yet are listed with their target).", valueName: "STEP"))
    var planned: [String] = []
    @Flag(help: "The chain stopped once the stack was ready (MANUAL=1).") var manual = false

    func answer() throws(SmokeError) -> ReportOutput {
        try Playbook.write(run: run, planned: planned, environment: ProcessInfo.processInfo.environment, manual: manual)
    }
}
