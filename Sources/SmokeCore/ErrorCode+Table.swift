/// One row of the error-code table: the exit status a code gives (the first; a later one is where
/// a tool gives another, kept as documented), the tools that write it, and what it means.
public struct ErrorCodeEntry: Sendable {
    public var exits: [ToolExit]
    public var tools: String
    public var meaning: String
}

extension ErrorCode {
    /// The exit status of a `SmokeError` with this code, unless the error names another of `exits`.
    public var exit: ToolExit { entry.exits[0] }

    // The one table of codes. docs/error-codes.md is generated from it (ErrorCodeTableTests).
    public var entry: ErrorCodeEntry {
        let (exits, tools, meaning): ([ToolExit], String, String) =
            switch self {
            case .usage:
                ([.invalidInput], "every tool", "a flag, argument or subcommand the command line does not accept")
            case .unexpectedError:
                ([.environment], "every tool", "an error no other code describes (a bug: the message names it)")
            case .invalidJSON:
                (
                    [.invalidInput], "every tool",
                    "malformed JSON input (the message names the file or stream, line and column)"
                )
            case .jsonTooDeep: ([.invalidInput], "every tool", "JSON input nested deeper than the parser's bound")
            case .fileNotFound: ([.invalidInput], "every tool", "a named input file does not exist")
            case .fileUnreadable: ([.environment], "every tool", "an input file exists but cannot be read")
            case .writeFailed: ([.environment], "every tool", "an output file or directory cannot be written")
            case .invalidBaseline:
                (
                    [.invalidInput], "git-clean-check, codex-stage, smoke-report",
                    "a baseline file (snapshot or known failures) does not have the documented shape"
                )

            case .missingVariable: ([.invalidInput], "render-manifest", "a template placeholder nothing defines")
            case .unknownVariable: ([.invalidInput], "render-manifest", "a `${NAME}` that no env layer defines")
            case .variableCycle: ([.invalidInput], "render-manifest", "`${…}` expansion loops")
            case .variableTooDeep: ([.invalidInput], "render-manifest", "`${…}` references nest too deep")
            case .variableTooLarge:
                ([.invalidInput], "render-manifest", "a value built by `${…}` expansion is too large")
            case .invalidAssignment: ([.invalidInput], "render-manifest", "`--set` without `KEY=VALUE`")
            case .invalidEnvFile: ([.invalidInput], "render-manifest", "an env file is not UTF-8 text")
            case .invalidPort:
                (
                    [.invalidInput], "port-preflight, render-manifest",
                    "a port (`--port`, `PROXY_PORT`, `PUBLIC_PORT`) not within 1-65535"
                )
            case .invalidPythonDefaults:
                (
                    [.invalidInput], "render-manifest",
                    "a Stelae checkout's `catalog_defaults.py` cannot be read as literals"
                )
            case .invalidServerName: ([.invalidInput], "render-manifest", "an empty `--server-name`")
            case .hardcodedPort:
                ([.invalidInput], "render-manifest", "a literal port clients would use instead of the render's")
            case .unknownKey: ([.invalidInput], "render-manifest", "a catalog key outside the schema")
            case .duplicateKey:
                (
                    [.invalidInput], "render-manifest",
                    "a catalog key written both camelCase and snake_case in one object"
                )
            case .missingKey: ([.invalidInput], "render-manifest", "a required catalog key is absent")
            case .wrongType: ([.invalidInput], "render-manifest", "a catalog value of the wrong JSON type")
            case .emptyValue: ([.invalidInput], "render-manifest", "a required catalog string is empty")
            case .emptyOperations: ([.invalidInput], "render-manifest", "an aggregate with no operations")
            case .tooFewItems: ([.invalidInput], "render-manifest", "a catalog list below its minimum")
            case .unsupportedVersion:
                ([.invalidInput], "render-manifest", "a catalog `schemaVersion` this renderer does not read")
            case .duplicateAggregate:
                ([.invalidInput], "render-manifest", "two aggregates with one name in one fragment")
            case .duplicateServer: ([.invalidInput], "render-manifest", "two servers with one name in one fragment")
            case .emptyManifest: ([.checkFailed], "render-manifest", "the render enables no tool")
            case .invalidManifest:
                (
                    [.invalidInput], "render-manifest, codex-stage",
                    "a curated manifest has no `tools` list of named entries"
                )
            case .invalidLiveCatalog:
                (
                    [.invalidInput], "render-manifest",
                    "a live tool list is not a listing, is a JSON-RPC error, or lists bare names"
                )
            case .drift: ([.checkFailed], "render-manifest", "the live tool list differs from the curated manifest")
            case .schemaProblems:
                (
                    [.checkFailed], "render-manifest",
                    "`lint`: tool schemas Codex reads differently than they are written"
                )
            case .codexRejectsTools: ([.checkFailed], "render-manifest", "`lint`: Codex would drop at least one tool")
            case .codexRejectsList:
                (
                    [.checkFailed], "render-manifest",
                    "`lint`: an entry Codex cannot decode, so no tool of the server reaches the model"
                )
            case .breakingChange:
                ([.checkFailed], "render-manifest", "`diff`: a breaking tool change, without `--allow-breaking`")

            case .missingPort: ([.invalidInput], "port-preflight", "neither `--port` nor `--random`")
            case .invalidRange:
                (
                    [.invalidInput], "port-preflight",
                    "`--range` not `LO-HI` within 1-65535, or nothing left after `--exclude`"
                )
            case .invalidExclude: ([.invalidInput], "port-preflight", "an `--exclude` entry is not a port")
            case .invalidSeed: ([.invalidInput], "port-preflight", "`--seed` not an integer 0 … 2^63-1")
            case .invalidGrace: ([.invalidInput], "port-preflight", "`--grace-ms` not 0-600000")
            case .conflictingOptions:
                (
                    [.invalidInput], "port-preflight",
                    "flags of `--port` mode mixed with `--random` mode, or `--kill` options without `--kill`"
                )
            case .portInUse:
                (
                    [.checkFailed], "port-preflight",
                    "the port is held (listeners named), or a bind fails with \"Address already in use\""
                )
            case .noFreePort: ([.environment], "port-preflight", "`--random` found no free port among its candidates")
            case .bindDenied: ([.environment], "port-preflight", "nothing listens but the bind is refused (EACCES)")
            case .bindFailed:
                ([.environment], "port-preflight", "nothing listens but the bind fails for another reason")
            case .procUnavailable: ([.environment], "port-preflight", "`/proc/net/tcp` cannot be read")

            case .missingURL:
                ([.invalidInput], "probe-initialize", "no endpoint: no `--url`, `PROBE_URL` or `PROXY_PORT`")
            case .invalidURL:
                ([.invalidInput], "probe-initialize, codex-stage", "a URL that is not http(s) with a host")
            case .invalidHeader:
                ([.invalidInput], "probe-initialize", "a `--header` that is not one `Name: value` line")
            case .invalidArgument:
                (
                    [.invalidInput], "probe-initialize",
                    "a flag value out of range, or flags that cannot be used together"
                )
            case .invalidProxyConfig:
                (
                    [.invalidInput], "probe-initialize",
                    "`--proxy-config`: the file is not a proxy config of the documented shape"
                )
            case .noServers: ([.invalidInput], "probe-initialize", "`--proxy-config`: no enabled server to check")
            case .unknownServer:
                (
                    [.invalidInput], "probe-initialize",
                    "`--proxy-config`: a server named by `--server` or `--require-tool` is not in the config"
                )
            case .connectionRefused: ([.checkFailed], "probe-initialize", "nothing listens, until the deadline")
            case .connectionReset:
                (
                    [.checkFailed], "probe-initialize",
                    "the server closed the connection before a whole answer, until the deadline"
                )
            case .timeout:
                (
                    [.timeout, .checkFailed], "codex-stage (124), probe-initialize (1)",
                    "codex-stage: `--timeout` fired; probe-initialize: no complete answer within the attempt timeout, until the deadline"
                )
            case .httpStatus:
                (
                    [.checkFailed], "probe-initialize",
                    "a permanent HTTP status, a retryable one still there at the deadline, or too many redirects"
                )
            case .notAcceptable:
                ([.checkFailed], "probe-initialize", "HTTP 406: the server refused the probe's `Accept`")
            case .invalidBody:
                ([.checkFailed], "probe-initialize", "a 2xx answer that is not a usable JSON-RPC response")
            case .jsonrpcError: ([.checkFailed], "probe-initialize", "the server answered a JSON-RPC error")
            case .toolsNotReady:
                ([.checkFailed], "probe-initialize", "the required tools were not all listed by the deadline")
            case .resourcesNotReady:
                ([.checkFailed], "probe-initialize", "the required resources were not all listed by the deadline")
            case .promptsNotReady:
                ([.checkFailed], "probe-initialize", "the required prompts were not all listed by the deadline")
            case .toolsUnstable:
                ([.checkFailed], "probe-initialize", "`--stable-for`: the tool list was still changing at the deadline")
            case .deadlineExceeded:
                ([.checkFailed], "probe-initialize", "the deadline ran out before an attempt of a phase could run")
            case .headerMismatch:
                ([.checkFailed], "probe-initialize", "-32020: the request's headers and body disagree")
            case .unsupportedProtocolVersion:
                ([.checkFailed], "probe-initialize", "-32022 with no protocol version left to speak")
            case .modernUnsupported:
                ([.checkFailed], "probe-initialize", "`--era modern` against a handshake-only server")
            case .commandNotFound:
                (
                    [.environment], "probe-initialize",
                    "a stdio server's command does not exist or is not executable (a `--proxy-config` entry: exit 1 by `servers_not_ready`)"
                )
            case .spawnFailed:
                (
                    [.environment], "probe-initialize",
                    "a stdio server could not be started for another reason (a `--proxy-config` entry: exit 1 by `servers_not_ready`)"
                )
            case .exited: ([.checkFailed], "probe-initialize", "a stdio server ended before answering")
            case .invalidAnswer:
                (
                    [.checkFailed], "probe-initialize",
                    "an answer that is not usable JSON-RPC (stdio, a `--proxy-config` entry, or a `--call` answer)"
                )
            case .unreachable:
                (
                    [.checkFailed], "probe-initialize",
                    "a `--proxy-config` entry: connection refused or the host does not resolve, until the deadline"
                )
            case .toolNotListed:
                (
                    [.checkFailed], "probe-initialize",
                    "a `--proxy-config` entry: a `SERVER::TOOL` asked of it was not listed by the deadline"
                )
            case .serversNotReady:
                (
                    [.checkFailed], "probe-initialize",
                    "`--proxy-config`: at least one server is not ready (each named with its own code)"
                )
            case .toolError: ([.checkFailed], "probe-initialize", "`--call`: the tool answered `isError: true`")
            case .outputSchemaMismatch:
                ([.checkFailed], "probe-initialize", "`--call`: `structuredContent` breaks the tool's `outputSchema`")
            case .answerTruncated: ([.checkFailed], "probe-initialize", "`--call`: the answer did not arrive whole")
            case .answerTooLarge:
                ([.checkFailed], "probe-initialize", "`--call`: the answer exceeds `--max-body-bytes`")
            case .callRejected:
                ([.checkFailed], "probe-initialize", "`--call`: the server refused the call with a JSON-RPC error")
            case .inputRequired:
                ([.checkFailed], "probe-initialize", "`--call`: the server asks for input the probe cannot give")
            case .unexpectedSuccess: ([.checkFailed], "probe-initialize", "`--call --expect-error`: the call succeeded")
            case .loadErrors:
                (
                    [.checkFailed], "probe-initialize",
                    "`--load`: requests or session opens failed (`load.errors`, `load.session_errors`)"
                )
            case .loadNoRequests:
                ([.checkFailed], "probe-initialize", "`--load`: the window closed before any request was sent")
            case .serverUnreachable:
                (
                    [.environment], "probe-initialize",
                    "`--load`: nothing accepted a connection, so the load never started"
                )

            case .invalidStages:
                ([.invalidInput], "codex-stage", "a stages file that does not have the documented shape")
            case .stageNotFound: ([.invalidInput], "codex-stage", "no stage of that name in the stages file")
            case .unknownTool:
                ([.invalidInput], "codex-stage", "`run --manifest`: a stage expects a tool the manifest does not hold")
            case .invalidTimeout: ([.invalidInput], "codex-stage", "a timeout flag out of range")
            case .invalidScript:
                ([.invalidInput], "codex-stage", "a scripted model's script that does not have the documented shape")
            case .cdNotFound: ([.invalidInput], "codex-stage", "`--cd` is not a directory")
            case .codexHomeTemplateMissing:
                ([.invalidInput], "codex-stage", "`--codex-home-template` is not a directory")
            case .invalidCodexConfig: ([.invalidInput], "codex-stage", "the template's `config.toml` is not TOML")
            case .codexNotFound: ([.environment], "codex-stage", "no Codex binary")
            case .codexSpawnFailed: ([.environment], "codex-stage", "Codex could not be started")
            case .codexHomeFailed: ([.environment], "codex-stage", "the scratch `CODEX_HOME` cannot be made")
            case .codexConfigMismatch:
                ([.environment], "codex-stage", "the written `config.toml` does not point at the stack under test")
            case .modelServerFailed: ([.environment], "codex-stage", "the scripted model server cannot listen or serve")
            case .heartbeatTimeout:
                ([.timeout], "codex-stage", "no stdout or stderr line for `--heartbeat-timeout` seconds")
            case .mcpStartupFailed:
                ([.checkFailed], "codex-stage", "Codex reports that required MCP servers failed to initialize")
            case .turnFailed: ([.checkFailed], "codex-stage", "the turn failed (`turn.failed`)")
            case .incompleteTranscript:
                ([.checkFailed], "codex-stage", "the transcript has neither `turn.completed` nor `turn.failed`")
            case .toolFailed: ([.checkFailed], "codex-stage", "an expected tool was called but failed")
            case .argumentsMismatch:
                ([.checkFailed], "codex-stage", "an expected tool succeeded, but never with matching arguments")
            case .tooFewCalls:
                ([.checkFailed], "codex-stage", "an expected tool succeeded fewer times than `min_calls`")
            case .tooManyCalls: ([.checkFailed], "codex-stage", "a tool was called more times than `max_calls`")
            case .forbiddenCall: ([.checkFailed], "codex-stage", "a `forbid` tool was called")
            case .expectedErrorMissing:
                ([.checkFailed], "codex-stage", "an `expect_error` tool was called and succeeded")
            case .toolMissing: ([.checkFailed], "codex-stage", "an expected tool was never called")

            case .directoryNotFound: ([.invalidInput], "git-clean-check", "DIR does not exist")
            case .notADirectory: ([.invalidInput], "git-clean-check", "DIR is a file")
            case .notARepository:
                ([.invalidInput], "git-clean-check, render-manifest", "the directory is not a git working tree")
            case .bareRepository: ([.invalidInput], "git-clean-check", "DIR is a bare repository")
            case .repositoryNotOwned:
                (
                    [.environment], "git-clean-check, render-manifest",
                    "libgit2 refuses a repository owned by another user"
                )
            case .dirtyWorktree:
                ([.checkFailed], "git-clean-check", "`verify`: entries differ from clean or from the baseline")
            case .headMoved:
                ([.checkFailed], "git-clean-check", "`verify --baseline`: entries match but HEAD is another commit")
            case .invalidSource: ([.invalidInput], "git-clean-check", "`clone`: empty SOURCE or a malformed URL")
            case .unsupportedSource:
                ([.invalidInput], "git-clean-check", "`clone`: a scheme other than file, http, https")
            case .sourceNotFound: ([.invalidInput], "git-clean-check", "`clone`: the local SOURCE does not exist")
            case .sourceNotARepository:
                ([.invalidInput], "git-clean-check", "`clone`: the local SOURCE is not a repository")
            case .invalidDestination: ([.invalidInput], "git-clean-check", "`clone`: an empty DEST")
            case .destNotDirectory: ([.invalidInput], "git-clean-check", "`clone`: DEST is a file")
            case .destNotEmpty: ([.invalidInput], "git-clean-check", "`clone`: DEST exists and is not empty")
            case .destOverlapsSource:
                ([.invalidInput], "git-clean-check", "`clone`: DEST is, or contains, the local source")
            case .destUnreadable: ([.environment], "git-clean-check", "`clone`: DEST cannot be listed")
            case .invalidDepth: ([.invalidInput], "git-clean-check", "`clone --depth` below 1")
            case .depthUnsupported: ([.environment], "git-clean-check", "`clone --depth` with a libgit2 older than 1.7")
            case .unknownRevision:
                ([.invalidInput], "git-clean-check, render-manifest", "a revision that does not name a commit")
            case .cloneFailed: ([.environment], "git-clean-check", "libgit2 could not clone")
            case .libgit2Error: ([.environment], "git-clean-check, render-manifest", "any other libgit2 failure")

            case .junitUnreadable: ([.invalidInput], "smoke-report", "a JUnit report cannot be read")
            case .junitMalformed: ([.invalidInput], "smoke-report", "a JUnit report is not well-formed XML")
            }
        return ErrorCodeEntry(exits: exits, tools: tools, meaning: meaning)
    }

    /// docs/error-codes.md: every code with its exit status, tools and meaning, in declaration order.
    public static func markdownTable() -> String {
        var lines = [
            "# Error codes",
            "",
            "<!-- Generated from Sources/SmokeCore/ErrorCode+Table.swift; ErrorCodeTableTests fails when",
            "     they differ. Regenerate: SMOKE_WRITE_ERROR_CODES=1 swift test --filter ErrorCodeTableTests -->",
            "",
            "Every `error.code` a tool writes, with the exit status it gives. A second exit status is where",
            "one tool gives another (see the tools column). The smoke chain's own step codes are in",
            "[smoke.md](smoke.md).",
            "",
            "| code | exit | tools | meaning |",
            "| --- | --- | --- | --- |",
        ]
        for code in allCases {
            let entry = code.entry
            let exits = entry.exits.map { String($0.rawValue) }.joined(separator: ", ")
            lines.append("| `\(code.rawValue)` | \(exits) | \(entry.tools) | \(entry.meaning) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
