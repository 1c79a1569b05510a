import CodexKit
import Foundation
import SmokeCore
import SmokeTestSupport
import Testing

@Suite struct JudgeTests {
    func parser(_ lines: [String], completed: Bool = true) -> TranscriptParser {
        var parser = TranscriptParser()
        for line in lines { parser.consume(line: line) }
        if completed { parser.consume(line: #"{"type":"turn.completed"}"#) }
        return parser
    }

    func call(_ id: String, tool: String, args: String = "{}", status: String = "completed", error: String = "null")
        -> String
    {
        #"{"type":"item.completed","item":{"id":"\#(id)","type":"mcp_tool_call","server":"stelae","tool":"\#(tool)","arguments":\#(args),"result":{"content":[{"type":"text","text":"boom"}]},"error":\#(error),"status":"\#(status)"}}"#
    }

    func judge(
        _ expectations: [ToolExpectation], _ transcript: TranscriptParser, stderr: StderrDigest = StderrDigest(),
        end: RunEnd? = .exited(0)
    ) -> StageJudge {
        StageJudge(
            stage: StageDefinition(name: "s", prompt: "p", expectations: expectations), transcript: transcript,
            stderr: stderr, offered: nil, end: end)
    }

    @Test func argumentsMatchObjectsBySubsetEverythingElseEqual() {
        #expect(
            ArgumentMatch.matches(
                expected: ["operation": "read_file"], actual: ["operation": "read_file", "path": "README.md"]))
        #expect(
            !ArgumentMatch.matches(
                expected: ["operation": "read_file", "path": "x"], actual: ["operation": "read_file"]))
        #expect(
            ArgumentMatch.matches(
                expected: ["params": ["dry_run": true]], actual: ["params": ["dry_run": true, "force": true]]))
        #expect(!ArgumentMatch.matches(expected: ["paths": ["README.md"]], actual: ["paths": ["README.md", "other"]]))
        #expect(!ArgumentMatch.matches(expected: ["paths": [["a": 1]]], actual: ["paths": [["a": 1, "b": 2]]]))
        #expect(ArgumentMatch.matches(expected: ["n": 1], actual: ["n": 1.0]))
        #expect(!ArgumentMatch.matches(expected: ["n": 1], actual: ["n": "1"]))
    }

    @Test func failedCallNeverCountsUnlessAllowed() {
        let transcript = parser([call("a", tool: "grep", status: "failed")])
        let strict = judge([ToolExpectation(tool: "grep")], transcript)
        #expect(strict.error?.code == .toolFailed)
        #expect(strict.error?.message.contains("boom") == true)
        #expect(strict.expectations.first?.matched == 0)
        let lenient = judge([ToolExpectation(tool: "grep", allowFailed: true)], transcript)
        #expect(lenient.error == nil)
        #expect(lenient.expectations.first?.matched == 1)
    }

    @Test func minCallsAndArgumentMismatch() {
        let transcript = parser([
            call("a", tool: "grep", args: #"{"pattern":"x"}"#), call("b", tool: "grep", args: #"{"pattern":"y"}"#),
        ])
        #expect(judge([ToolExpectation(tool: "grep", minCalls: 2)], transcript).error == nil)
        let tooFew = judge([ToolExpectation(tool: "grep", minCalls: 3)], transcript).error
        #expect(tooFew?.code == .tooFewCalls)
        #expect(tooFew?.message == "stage 's': grep was called 2 time(s); the stage needs at least 3")
        let mismatch = judge([ToolExpectation(tool: "grep", arguments: ["pattern": "z"])], transcript)
        #expect(mismatch.error?.code == .argumentsMismatch)
        let otherServer = judge([ToolExpectation(tool: "grep", server: "other")], transcript)
        #expect(otherServer.error?.code == .toolMissing)
    }

    @Test func forbiddenToolsPassOnlyWhenNeverCalled() {
        let transcript = parser([call("a", tool: "grep", args: #"{"pattern":"x"}"#)])
        let forbidden = judge([ToolExpectation(tool: "grep", forbid: true)], transcript)
        #expect(forbidden.error?.code == .forbiddenCall)
        #expect(forbidden.error?.message == "stage 's': grep was called 1 time(s); the stage forbids it")
        #expect(judge([ToolExpectation(tool: "manage_stelae", forbid: true)], transcript).error == nil)
        // With arguments, only matching calls are forbidden.
        #expect(
            judge([ToolExpectation(tool: "grep", arguments: ["pattern": "y"], forbid: true)], transcript).error == nil)
        #expect(
            judge([ToolExpectation(tool: "grep", arguments: ["pattern": "x"], forbid: true)], transcript).error?.code
                == .forbiddenCall)
    }

    @Test func expectErrorCountsFailedCallsOnly() {
        let failing = parser([call("a", tool: "explode", status: "failed")])
        #expect(judge([ToolExpectation(tool: "explode", expectError: true)], failing).error == nil)
        let succeeding = parser([call("a", tool: "explode")])
        let unexpected = judge([ToolExpectation(tool: "explode", expectError: true)], succeeding).error
        #expect(unexpected?.code == .expectedErrorMissing)
        #expect(unexpected?.message.contains("explode succeeded; the stage expects it to fail") == true)
        #expect(judge([ToolExpectation(tool: "explode", expectError: true)], parser([])).error?.code == .toolMissing)
    }

    @Test func callCountRange() {
        let three = parser([call("a", tool: "grep"), call("b", tool: "grep"), call("c", tool: "grep")])
        #expect(judge([ToolExpectation(tool: "grep", minCalls: 1, maxCalls: 3)], three).error == nil)
        let tooMany = judge([ToolExpectation(tool: "grep", minCalls: 1, maxCalls: 2)], three)
        #expect(tooMany.error?.code == .tooManyCalls)
        #expect(tooMany.expectations.first?.json["code"] == "too_many_calls")
        #expect(tooMany.expectations.first?.json["max_calls"] == 2)
    }

    @Test func stageFileRulesForTheNewExpectations() throws {
        func parse(_ expectation: String) throws -> [StageDefinition] {
            try StageFile.parse(
                JSONValue.parse(
                    Data(#"{"stages": [{"name": "s", "prompt": "p", "expectations": [\#(expectation)]}]}"#.utf8),
                    source: "t"), source: "t.json")
        }
        let parsed = try parse(
            #"{"tool": "a", "forbid": true}, {"tool": "b", "expect_error": true, "min_calls": 2, "max_calls": 3}"#)
        #expect(parsed[0].expectations[0].forbid)
        #expect(parsed[0].expectations[1] == ToolExpectation(tool: "b", minCalls: 2, maxCalls: 3, expectError: true))
        for bad in [
            #"{"tool": "a", "forbid": true, "min_calls": 1}"#,
            #"{"tool": "a", "expect_error": true, "allow_failed": true}"#,
            #"{"tool": "a", "min_calls": 3, "max_calls": 2}"#, #"{"tool": "a", "forbid": "yes"}"#,
        ] {
            #expect(throws: SmokeError.self, "\(bad)") { try parse(bad) }
        }
        // The default scripted model never calls a forbidden tool.
        let script = ModelScript.calling(parsed[0], defaultServer: "stelae")
        guard case .calls(let calls) = script.steps[0] else {
            Issue.record("no calls step")
            return
        }
        #expect(calls.map(\.tool) == ["b", "b"])
    }

    @Test func aBaselineExcusesKnownFailuresOnlyAndNamesStaleEntries() throws {
        let temp = try TempDirectory(prefix: "baseline")
        let stages = try temp.write(
            "stages.json",
            """
            {"stages": [{"name": "s", "prompt": "p", "expectations": [{"tool": "grep"}, {"tool": "explode"}, {"tool": "read"}]}]}
            """)
        let transcript = try temp.write(
            "s.jsonl",
            [
                call("a", tool: "grep", status: "failed"), call("b", tool: "explode", status: "failed"),
                call("c", tool: "read"),
                #"{"type":"turn.completed"}"#,
            ].joined(separator: "\n") + "\n")
        func check(_ baseline: String) throws -> StageReport {
            let file = try temp.write("baseline.json", baseline)
            return try CodexStage.check(
                stagesPath: stages, name: "s", transcriptPath: transcript, stderrPath: nil,
                baseline: Baseline.load(path: file))
        }
        // Both failures known: the stage passes and says which failures it let through.
        let known = try check(
            """
            {"known_failures": [{"stage": "s", "tool": "grep", "code": "tool_failed", "reason": "flaky grep"},
                                {"stage": "s", "tool": "explode", "reason": "raises on purpose"},
                                {"stage": "s", "tool": "read", "reason": "fixed last week"},
                                {"stage": "other", "tool": "grep", "reason": "another stage's"}]}
            """)
        #expect(known.error == nil)
        #expect(
            known.fields["known_failures"]?.arrayValue?.compactMap { $0["tool"]?.stringValue } == ["grep", "explode"])
        #expect(known.fields["known_failures"]?.arrayValue?.first?["baseline_reason"] == "flaky grep")
        // The read entry excuses nothing now: stale. The other stage's entry is not this stage's business.
        #expect(known.fields["stale_baseline"] == [["stage": "s", "tool": "read", "reason": "fixed last week"]])
        // A failure the baseline does not name still fails the stage.
        let partly = try check(#"{"known_failures": [{"stage": "s", "tool": "grep", "reason": "flaky grep"}]}"#)
        #expect(partly.error?.code == .toolFailed)
        #expect(partly.error?.message.contains("explode") == true)
        // A code that does not match is no excuse.
        let wrongCode = try check(
            #"{"known_failures": [{"stage": "s", "tool": "grep", "code": "tool_missing", "reason": "x"}, {"stage": "s", "tool": "explode", "reason": "y"}]}"#
        )
        #expect(wrongCode.error?.code == .toolFailed)
        // A malformed baseline is a clear error.
        #expect(throws: SmokeError.self) { try check(#"{"known_failures": [{"stage": "s", "tool": "grep"}]}"#) }
        #expect(throws: SmokeError.self) {
            try check(#"{"known_failures": [{"stage": "s", "reason": "r", "extra": 1}]}"#)
        }
    }

    @Test func verdictOrder() {
        let failedCall = [call("a", tool: "grep", status: "failed")]
        #expect(
            judge(
                [ToolExpectation(tool: "grep")], parser(failedCall, completed: false),
                end: .heartbeatTimeout(seconds: 1)
            ).error?.code == .heartbeatTimeout)
        #expect(
            judge([ToolExpectation(tool: "grep")], parser(failedCall, completed: false), end: .timeout(seconds: 1))
                .error?.exit == .timeout)
        #expect(
            judge([ToolExpectation(tool: "grep")], parser(failedCall, completed: false), end: .signalled(9)).error?.code
                == .incompleteTranscript)
        var failedTurn = parser(failedCall, completed: false)
        failedTurn.consume(line: #"{"type":"turn.failed","error":{"message":"stream disconnected"}}"#)
        #expect(judge([ToolExpectation(tool: "grep")], failedTurn).error?.code == .turnFailed)
        var stderr = StderrDigest()
        stderr.consume(line: "Error: required MCP servers failed to initialize: stelae: connection refused")
        #expect(
            judge([ToolExpectation(tool: "grep")], parser([], completed: false), stderr: stderr, end: .exited(1)).error?
                .code == .mcpStartupFailed)
        #expect(judge([ToolExpectation(tool: "grep")], parser(failedCall)).error?.code == .toolFailed)
    }

    @Test func stagesFileValidationNamesTheField() throws {
        let good: JSONValue = [
            "stages": [
                ["name": "a", "prompt": "p", "expectations": [["tool": "grep", "min_calls": 2, "allow_failed": true]]]
            ]
        ]
        let stages = try StageFile.parse(good, source: "s.json")
        #expect(stages.first?.expectations.first == ToolExpectation(tool: "grep", minCalls: 2, allowFailed: true))
        let cases: [(JSONValue, String)] = [
            (["stages": "x"], "\"stages\" array"),
            (
                ["stages": [["name": "a", "prompt": "p", "expectations": [["tool": 3]]]]],
                "stages[0].expectations[0].tool"
            ),
            (
                ["stages": [["name": "a", "prompt": "p", "expectations": [["tool": "t", "arguments": [1]]]]]],
                "arguments: expected an object"
            ),
            (
                ["stages": [["name": "a", "prompt": "p", "expectations": [["tool": "t", "min_calls": 0]]]]], "min_calls"
            ),
            (
                [
                    "stages": [
                        ["name": "a", "prompt": "p", "expectations": []],
                        ["name": "a", "prompt": "p", "expectations": []],
                    ]
                ], "duplicate"
            ),
            (["stages": [["name": "../escape", "prompt": "p", "expectations": []]]], "stages[0].name: '../escape'"),
            (["stages": [["name": "..", "prompt": "p", "expectations": []]]], "letters, digits"),
        ]
        for (document, fragment) in cases {
            #expect {
                try StageFile.parse(document, source: "s.json")
            } throws: { error in
                guard let error = error as? SmokeError else { return false }
                return error.code == .invalidStages && error.message.contains(fragment) && error.exit == .invalidInput
            }
        }
    }

    @Test func shippedStelaeStagesCarryTheOriginalPayloads() throws {
        let stages = try StageFile.load(path: "\(ProjectPaths.root)/stack/stages.json")
        #expect(stages.map(\.name) == ["bundle-tools", "install", "remove"])
        let bundle = stages[0].expectations
        #expect(
            bundle.map(\.tool) == [
                "workspace_fs_read", "grep", "manage_stelae", "manage_docy_sources", "doc_fetch_suite",
            ])
        #expect(
            bundle[1].arguments == [
                "pattern": "manage_stelae", "paths": ["README.md"], "recursive": false, "regexp": false,
                "line_number": true,
            ])
        #expect(
            stages[1].expectations[0].arguments?["params"] == [
                "name": "qdrant", "target_name": "qdrant_smoke", "dry_run": true, "force": true,
            ])
        #expect(
            stages[2].expectations[0].arguments == [
                "operation": "remove_server", "params": ["name": "qdrant_smoke", "dry_run": true, "force": true],
            ])
        for stage in stages {
            for expectation in stage.expectations {
                #expect(expectation.server == "stelae")
                // The prompt spells out every call the expectations look for.
                #expect(stage.prompt.contains(expectation.tool))
            }
        }
    }

    @Test func defaultScriptCallsEveryExpectationAndScriptFaultsParse() throws {
        let stage = StageDefinition(
            name: "s", prompt: "p",
            expectations: [
                ToolExpectation(tool: "grep", arguments: ["pattern": "x"], minCalls: 2),
                ToolExpectation(tool: "t", server: "docs"),
            ])
        let script = ModelScript.calling(stage, defaultServer: "stelae")
        #expect(
            script.steps.first
                == .calls([
                    .init(tool: "grep", namespace: "mcp__stelae", arguments: ["pattern": "x"]),
                    .init(tool: "grep", namespace: "mcp__stelae", arguments: ["pattern": "x"]),
                    .init(tool: "t", namespace: "mcp__docs", arguments: [:]),
                ]))
        #expect(script.step(at: 5) == .message(ModelScript.finalMessage))
        let parsed = try ModelScript.parse(
            ["steps": [["fault": "hang_after_headers"], ["fault": "http_error", "status": 503], ["message": "bye"]]],
            source: "x", defaultServer: "stelae")
        #expect(
            parsed.steps == [
                .hangAfterHeaders, .httpError(status: 503, body: #"{"error":{"message":"scripted failure"}}"#),
                .message("bye"),
            ])
        #expect(throws: SmokeError.self) {
            try ModelScript.parse(["steps": [["fault": "explode"]]], source: "x", defaultServer: "s")
        }
    }

    @Test func codexNotFound() {
        #expect {
            try CodexStage.locateCodex(explicit: "/nonexistent/codex")
        } throws: { error in
            (error as? SmokeError)?.code == .codexNotFound && (error as? SmokeError)?.exit == .environment
        }
    }
}
