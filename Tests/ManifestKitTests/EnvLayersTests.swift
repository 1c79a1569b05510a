import Foundation
import ManifestKit
import SmokeCore
import SmokeTestSupport
import Testing

@Suite struct EnvLayersTests {
    @Test func envFileParsing() {
        let text = """
            # a comment

              SPACED = padded value  \t
            DOUBLE="quoted # not a comment"
            SINGLE='single'
            export EXPORTED=yes
            URL=http://host/?a=b=c
            no equals sign here
            EMPTY=
            LONE_QUOTE="
            """
        let entries = EnvFile.parse(text)
        let values = Dictionary(entries.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 })
        #expect(entries.map(\.key) == ["SPACED", "DOUBLE", "SINGLE", "EXPORTED", "URL", "EMPTY", "LONE_QUOTE"])
        #expect(values["SPACED"] == "padded value")
        #expect(values["DOUBLE"] == "quoted # not a comment")
        #expect(values["SINGLE"] == "single")
        #expect(values["EXPORTED"] == "yes")
        #expect(values["URL"] == "http://host/?a=b=c")
        #expect(values["EMPTY"] == "")
        #expect(values["LONE_QUOTE"] == "\"")
    }

    /// Line ends of every kind, and Foundation's `.whitespaces` (tab and Unicode space separators).
    @Test func envFileLineEndsAndUnicodeBlanks() {
        let text = "A=1\r\nexport\tB = ' x '\r\rC=\"q\"\n  # c\r\n=E\nF= \u{00A0}v\u{2003} \nG=\u{00A0}\nH=\"\u{2003}\""
        let entries = EnvFile.parse(text)
        #expect(entries.map(\.key) == ["A", "B", "C", "F", "G", "H"])
        #expect(entries.map(\.value) == ["1", " x ", "q", "v", "", "\u{2003}"])
    }

    @Test func expansionIsRecursive() throws {
        let resolved = try ResolvedEnvironment.resolve([
            EnvLayer(
                source: "a.env", values: [("ROOT", "/r"), ("MID", "${ROOT}/mid"), ("LEAF", "${MID}/leaf:${ROOT}")])
        ])
        #expect(resolved["LEAF"] == "/r/mid/leaf:/r")
    }

    @Test func cycleNamesVariableAndFile() {
        #expect {
            try ResolvedEnvironment.resolve([EnvLayer(source: "cfg/.env", values: [("A", "${B}"), ("B", "x${A}")])])
        } throws: { error in
            guard let error = error as? SmokeError else { return false }
            return error.code == .variableCycle && error.exit == .invalidInput
                && error.message.hasPrefix("cfg/.env:") && error.message.contains("A -> B -> A")
        }
    }

    @Test func unknownReferenceNamesVariableAndFile() {
        #expect {
            try ResolvedEnvironment.resolve([EnvLayer(source: "cfg/.env", values: [("A", "${NOPE}/x")])])
        } throws: { error in
            guard let error = error as? SmokeError else { return false }
            return error.code == .unknownVariable && error.fields["variable"] == "NOPE"
                && error.message.hasPrefix("cfg/.env:") && error.message.contains("${NOPE}")
        }
    }

    @Test func processValuesAreTakenLiterally() throws {
        let resolved = try ResolvedEnvironment.resolve([
            EnvLayer(source: "process environment", dictionary: ["PS": "${not_expanded}"], expands: false)
        ])
        #expect(resolved["PS"] == "${not_expanded}")
    }

    /// process < fallback < env file < overlay env < --set, each layer winning over the one below.
    @Test func layeringOrder() throws {
        let template = """
            {"mcpProxy": {"addr": ":{{PROXY_PORT}}"}, "values": ["{{A}}", "{{B}}", "{{C}}", "{{D}}", "{{E}}", "{{REF}}"]}
            """
        let fixture = try RenderFixture(template: template, baseCatalog: true)
        fixture.options.processEnvironment = [
            "HOME": fixture.path, "A": "process", "B": "process", "C": "process",
            "D": "process", "E": "process",
        ]
        try fixture.write("config/.env.example", "B=fallback\nC=fallback\nD=fallback\nE=fallback\n")
        try fixture.write("home/.env", "C=envfile\nD=envfile\nE=envfile\nREF=${B}+${D}\n")
        try fixture.write("home/.env.local", "D=overlay\nE=overlay\n")
        fixture.options.assignments = ["E=set"]
        try fixture.render()
        let proxy = try fixture.output("proxy.json")
        #expect(proxy["values"] == ["process", "fallback", "envfile", "overlay", "set", "fallback+overlay"])
    }

    @Test func explicitEnvFilesMustExist() throws {
        let fixture = try RenderFixture(baseCatalog: true)
        fixture.options.envFile = "missing.env"
        let error = try #require(fixture.renderError())
        #expect(error.code == .fileNotFound)
        #expect(error.message.contains("missing.env"))
    }

    @Test func stelaeEnvFileVariableSelectsTheEnvFile() throws {
        let fixture = try RenderFixture(template: #"{"v": "{{WHO}}"}"#, baseCatalog: true)
        try fixture.write("elsewhere.env", "WHO=from-stelae-env-file\n")
        try fixture.write("home/.env", "WHO=from-config-home\n")
        fixture.options.processEnvironment["STELAE_ENV_FILE"] = fixture.directory.file("elsewhere.env")
        try fixture.render()
        #expect(try fixture.output("proxy.json")["v"] == "from-stelae-env-file")
    }

    @Test func badSetAssignmentIsUsage() throws {
        let fixture = try RenderFixture(baseCatalog: true)
        fixture.options.assignments = ["NOEQUALS"]
        #expect(fixture.renderError()?.code == .invalidAssignment)
    }
}
