import ArgumentParser
import Foundation
import SmokeCLI
import SmokeCore
import SmokeReportKit

@main
struct SmokeReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "smoke-report",
        abstract:
            "The smoke chain's bookkeeping: the step ledger, the answers of the steps the chain performs itself, summary.json and junit.xml.",
        discussion: """
            Unlike the other tools, smoke-report prints no JSON envelope: its answers are files of the \
            run directory (record, emit, offered, ports, summary) or plain text the chain reads (get, \
            headline, require, curated, stage-names). Exit 0 ok; 1 the checked condition does not hold \
            (offered, ports, summary; get: no such key; headline: no summary); 2 usage or invalid input \
            (stage-names: not a stages file); 3 a file cannot be written.
            """,
        version: SmokeVersion.current,
        subcommands: [
            Record.self, Emit.self, Offered.self, Require.self, Get.self, Headline.self, Summary.self,
            Curated.self, Ports.self, StageNames.self, Tests.self, Restart.self, FlakesCommand.self,
            PlaybookCommand.self,
        ]
    )

    static func main() {
        ReportRunner.run(root: Self.self, tool: "smoke-report")
    }
}

struct Record: ReportSubcommand {
    static let configuration = CommandConfiguration(
        abstract: "Append a finished step's line to <run>/steps.jsonl and print its progress line on stderr.",
        discussion:
            "A step file that holds no JSON object (the tool crashed, hung or was killed) gets one: an error named after the exit status, with the tail of the step's stderr as hint."
    )

    @Option(help: ArgumentHelp("The run directory.", valueName: "DIR")) var run: String
    @Option(parsing: .unconditional, help: ArgumentHelp("The step's number in the run.", valueName: "N")) var n: Int
    @Option(help: "The step's name.") var step: String
    @Option(help: "The stage the step belongs to ('' for none).") var stage: String?
    @Option(help: "The tool the step ran.") var tool: String?
    @Option(help: ArgumentHelp("The step's answer, relative to the run directory.", valueName: "NN-STEP.json"))
    var file: String
    @Option(parsing: .unconditional, help: ArgumentHelp("The step's exit status.", valueName: "STATUS")) var exit: Int
    @Option(
        name: .customLong("elapsed-ms"), parsing: .unconditional,
        help: ArgumentHelp("The step's wall time (a clock stepped back may make it negative).", valueName: "MS"))
    var elapsedMs: Int
    @Option(help: ArgumentHelp("The step's stderr log.", valueName: "FILE")) var stderr: String?
    @Option(
        help: ArgumentHelp("A file the step produced, relative to the run directory (repeatable).", valueName: "PATH"))
    var artifact: [String] = []
    @Option(
        name: .customLong("override-code"),
        help: ArgumentHelp("The step failed for this reason, whatever the tool said.", valueName: "CODE"))
    var overrideCode: String?
    @Option(
        name: .customLong("override-message"),
        help: ArgumentHelp("The message that goes with --override-code.", valueName: "TEXT")) var overrideMessage:
        String?
    @Option(
        help: ArgumentHelp(
            "The command line the step ran (kept, secrets redacted, for playbook.md).", valueName: "LINE")) var command:
        String?
    @Option(help: ArgumentHelp("Where the command ran.", valueName: "DIR")) var cwd: String?

    func answer() throws(SmokeError) -> ReportOutput {
        try StepRecorder.record(
            RecordRequest(
                run: run, n: n, step: step, stage: stage, tool: tool, file: file, exit: exit, elapsedMs: elapsedMs,
                stderrPath: stderr, artifacts: artifact, overrideCode: overrideCode, overrideMessage: overrideMessage,
                command: command, cwd: cwd))
    }
}

enum Verdict: String, ExpressibleByArgument, CaseIterable {
    case `true`, `false`
}

struct Emit: ReportSubcommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the JSON answer of a step the chain performs itself (start-stack, stop-stack).")

    @Option(help: ArgumentHelp("The answer file.", valueName: "FILE")) var out: String
    @Option(help: "The step's name.") var step: String
    @Option(help: "Whether the step passed.") var ok: Verdict
    @Option(
        name: .customLong("elapsed-ms"), parsing: .unconditional,
        help: ArgumentHelp("The step's wall time.", valueName: "MS")) var elapsedMs: Int = 0
    @Option(help: "error.code when --ok false.") var code: String = "failed"
    @Option(help: "error.message when --ok false.") var message: String = ""
    @Option(help: "error.hint when --ok false.") var hint: String?
    @Option(help: ArgumentHelp("An extra top-level key: key=string or key:=json (repeatable).", valueName: "KEY=VALUE"))
    var field: [String] = []

    func answer() throws(SmokeError) -> ReportOutput {
        try ChainSteps.emit(
            EmitRequest(
                out: out, step: step, ok: ok == .true, elapsedMs: elapsedMs, code: code, message: message, hint: hint,
                fields: try TypedFields.parse(field)))
    }
}

struct Offered: ReportSubcommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Check that Codex offered the model every curated tool in a stage (tool_not_offered: a stale manifest); write the step's answer."
    )

    @Option(help: "The stage's name.") var stage: String
    @Option(
        name: .customLong("stage-json"),
        help: ArgumentHelp("The stage step's answer (codex-stage's JSON).", valueName: "FILE")) var stageJSON: String
    @Option(help: ArgumentHelp("The curated manifest.", valueName: "FILE")) var manifest: String
    @Option(
        help: ArgumentHelp(
            "scripted, or real (a real model's request is not observed: not checked).", valueName: "MODEL")) var model:
        String = "scripted"
    @Option(help: ArgumentHelp("The answer file.", valueName: "FILE")) var out: String
    @Option(
        help: ArgumentHelp(
            "The live tools/list the probe saw: served tools Codex did not offer are named with the rule they break (hidden_by_client for a curated one).",
            valueName: "FILE")) var served: String?
    @Option(name: .customLong("server-name"), help: "The stack's key in Codex's config (names the tools' namespace).")
    var serverName = "stelae"

    func answer() throws(SmokeError) -> ReportOutput {
        try ChainSteps.offered(
            OfferedRequest(
                stage: stage, stageJSON: stageJSON, manifest: manifest, model: model, out: out, served: served,
                serverName: serverName))
    }
}

struct Require: ReportSubcommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Print the tools the probe must see, one per line: the manifest's, the selected stages' expected tools, and TOOL...."
    )

    @Option(help: ArgumentHelp("The curated manifest.", valueName: "FILE")) var manifest: String?
    @Option(help: ArgumentHelp("The stages file.", valueName: "FILE")) var stages: String?
    @Option(help: ArgumentHelp("A selected stage (repeatable).", valueName: "NAME")) var stage: [String] = []
    @Argument(help: ArgumentHelp("Extra tool names (CURATED_TOOLS).", valueName: "TOOL")) var extra: [String] = []

    func answer() throws(SmokeError) -> ReportOutput {
        ChainQueries.require(manifest: manifest, stages: stages, selected: stage, extra: extra)
    }
}

struct Get: ReportSubcommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Print one value of a JSON file by dotted path: a string raw, anything else as JSON (exit 1 when missing).")

    @Argument(help: ArgumentHelp("The JSON file.", valueName: "FILE")) var file: String
    @Argument(help: ArgumentHelp("The dotted path, e.g. outputs.manifest.", valueName: "KEY")) var key: String

    func answer() throws(SmokeError) -> ReportOutput {
        ChainQueries.get(file: file, key: key)
    }
}

struct Headline: ReportSubcommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the run's verdict line (and, on failure, the last lines of the stack log) from summary.json.")

    @Argument(help: ArgumentHelp("The run's summary.json.", valueName: "SUMMARY")) var summary: String

    func answer() throws(SmokeError) -> ReportOutput {
        ChainQueries.headline(summaryPath: summary)
    }
}

struct Summary: ReportSubcommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Write summary.json and junit.xml of a run directory from its ledger; scan the run for secret values (exit 1 unless every step passed)."
    )

    @Option(help: ArgumentHelp("The run directory.", valueName: "DIR")) var run: String
    @Option(
        help: ArgumentHelp(
            "A step the run planned (repeatable; the ones not run are listed as skipped).", valueName: "STEP"))
    var planned: [String] = []
    @Option(help: ArgumentHelp("An extra top-level key: key=string or key:=json (repeatable).", valueName: "KEY=VALUE"))
    var field: [String] = []
    @Flag(help: "The run was interrupted (steps not run are listed as interrupted).") var interrupted = false
    @Option(
        help: ArgumentHelp(
            "Known failures ({\"known_failures\": [{step, code?, reason}]}): a failed step an entry names is known_failure, not a failure; entries whose step passed are stale.",
            valueName: "FILE")) var baseline: String?

    func answer() throws(SmokeError) -> ReportOutput {
        try RunSummary.write(
            SummaryRequest(
                run: run, planned: planned, fields: try TypedFields.parse(field), interrupted: interrupted,
                baseline: try baseline.map { path throws(SmokeError) in try Baseline.load(path: path) }),
            environment: ProcessInfo.processInfo.environment)
    }
}

struct Curated: ReportSubcommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Print each curated tool of a manifest as server::tool, one per line (the per-server diagnosis' --require-tool list)."
    )

    @Option(help: ArgumentHelp("The curated manifest.", valueName: "FILE")) var manifest: String

    func answer() throws(SmokeError) -> ReportOutput {
        ChainQueries.curated(manifest: manifest)
    }
}

struct Ports: ReportSubcommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the ports step's answer from render-manifest's hardcoded_ports (exit 1 on a fatal one).")

    @Option(help: ArgumentHelp("render-manifest's answer.", valueName: "FILE")) var render: String
    @Option(help: ArgumentHelp("The answer file.", valueName: "FILE")) var out: String

    func answer() throws(SmokeError) -> ReportOutput {
        try ChainSteps.ports(render: render, out: out)
    }
}

struct StageNames: ReportSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "stage-names",
        abstract: "Print the names of every stage of a stages file, in order, on one line.")

    @Option(help: ArgumentHelp("The stages file.", valueName: "FILE")) var stages: String

    func answer() throws(SmokeError) -> ReportOutput {
        ChainQueries.stageNames(stages: stages)
    }
}
