import Foundation
import SmokeCore
import SmokeTestSupport
import Testing

/// stack/server.py, the embedded default stack: it publishes exactly the rendered manifest's tools
/// and implements them on the workspace without ever writing into it. Each test starts the real
/// server (stdio, or behind `fastmcp run proxy.json --transport http`) through a small MCP client
/// (Tests/Fixtures/Smoke/mcp_client.py, one for the suite) and asserts on what it observed.
@Suite(.timeLimit(.minutes(3)), .shared { try MCPClient() })
struct SmokeServerTests {
    /// A workspace like a clone: a git repo with a README, nested files, and a symlink leading out.
    final class Workspace: @unchecked Sendable {
        let root = try! TempDirectory(prefix: "smoke-ws")
        let state = try! TempDirectory(prefix: "smoke-state")
        var path: String { root.path }

        init() throws {
            try root.write("README.md", "# Demo\n\nmanage_stelae installs servers.\nnothing else here\n")
            try root.write("src/notes.txt", "alpha\nBeta manage_stelae 42\n")
            try root.write("src/deep/more.txt", "gamma\n")
            try FileManager.default.createSymbolicLink(atPath: "\(path)/outside", withDestinationPath: "/etc")
            for arguments in [
                ["init", "-q"], ["add", "-A"],
                ["-c", "user.email=t@example.invalid", "-c", "user.name=t", "commit", "-q", "-m", "ws"],
            ] {
                try ChildProcess.run("git", arguments, cwd: path)
            }
        }

        /// `git status --porcelain` of the workspace: empty means no tool wrote into it.
        func porcelain() throws -> String {
            try ChildProcess.run("git", ["status", "--porcelain", "-uall"], cwd: path).stdout
        }
    }

    struct Call: Encodable {
        var name: String
        var arguments: [String: JSONValue]
    }

    /// Starts the stack, lists its tools, makes `calls`; returns the observation.
    static func observe(
        manifest: String = SmokePaths.manifest, workspace: Workspace,
        calls: [Call] = [], via: String = "stdio"
    ) throws -> JSONValue {
        try SuiteShared.value(MCPClient.self).observe([
            "server": .string(SmokePaths.server), "manifest": .string(manifest), "workspace": .string(workspace.path),
            "docs": .string(SmokePaths.docs), "state": .string(workspace.state.path), "via": .string(via),
            "calls": try JSONValue(encoding: calls),
        ])
    }

    static func manifestTools(_ path: String = SmokePaths.manifest) throws -> [String: JSONValue] {
        let tools = try JSONValue.load(path: path)["tools"]?.arrayValue ?? []
        return Dictionary(
            uniqueKeysWithValues: tools.compactMap { tool in tool["name"]?.stringValue.map { ($0, tool) } })
    }

    /// Writes a manifest holding only `names` (taken from the rendered manifest) plus `extra` tools.
    static func manifest(_ names: [String], extra: [JSONValue] = [], in directory: TempDirectory) throws -> String {
        let all = try manifestTools()
        let tools = names.compactMap { all[$0] } + extra
        return try directory.write(
            "manifest.json", JSONValue.object(["schemaVersion": 1, "tools": .array(tools)]).encodedString())
    }

    static func calls(_ observation: JSONValue) -> [JSONValue] { observation["calls"]?.arrayValue ?? [] }

    // MARK: - what is published

    @Test(arguments: ["stdio", "proxy"])
    func publishesExactlyTheManifestTools(via: String) throws {
        let workspace = try Workspace()
        let expected = try Self.manifestTools()
        let listed = try Self.observe(workspace: workspace, via: via)["tools"]?.arrayValue ?? []
        #expect(Set(listed.compactMap { $0["name"]?.stringValue }) == Set(expected.keys))
        #expect(listed.count == expected.count)
        for tool in listed {
            let name = try #require(tool["name"]?.stringValue)
            let entry = try #require(expected[name])
            for key in ["description", "inputSchema", "outputSchema", "annotations"] {
                #expect(tool[key] == entry[key], "\(via): \(name).\(key) differs from the manifest")
            }
        }
    }

    @Test func publishesOnlyWhatTheManifestLists() throws {
        let workspace = try Workspace()
        let directory = try TempDirectory(prefix: "smoke-manifest")
        let manifest = try Self.manifest(["grep", "doc_fetch_suite"], in: directory)
        let observation = try Self.observe(
            manifest: manifest, workspace: workspace,
            calls: [Call(name: "manage_stelae", arguments: ["operation": "list_discovered_servers"])])
        let names = (observation["tools"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }.sorted()
        #expect(names == ["doc_fetch_suite", "grep"])
        // An implemented tool the manifest lacks is not callable either.
        #expect(Self.calls(observation).first?["is_error"] == true)
    }

    @Test func refusesToStartWithAToolItCannotImplement() throws {
        let workspace = try Workspace()
        let directory = try TempDirectory(prefix: "smoke-manifest")
        let unknown: JSONValue = [
            "name": "memory_suite", "server": "stelae", "description": "x",
            "inputSchema": ["type": "object"], "outputSchema": ["type": "object"], "annotations": [:],
        ]
        let manifest = try Self.manifest(["grep"], extra: [unknown], in: directory)
        let result = try ChildProcess.run(
            ProjectPaths.python, [SmokePaths.server],
            environment: [
                "STELAE_SMOKE_MANIFEST": manifest, "STELAE_SMOKE_WORKSPACE": workspace.path,
                "STELAE_SMOKE_DOCS": SmokePaths.docs, "STELAE_SMOKE_STATE": workspace.state.path,
            ])
        #expect(result.status == 3)
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "one clear line, not a traceback: \(result.stderr)")
        #expect(result.stderr.contains("memory_suite"))
    }

    @Test func refusesToStartWithoutAReadableManifest() throws {
        let workspace = try Workspace()
        let result = try ChildProcess.run(
            ProjectPaths.python, [SmokePaths.server],
            environment: [
                "STELAE_SMOKE_MANIFEST": "\(workspace.path)/no-such-manifest.json",
                "STELAE_SMOKE_WORKSPACE": workspace.path,
                "STELAE_SMOKE_DOCS": SmokePaths.docs, "STELAE_SMOKE_STATE": workspace.state.path,
            ])
        #expect(result.status == 3)
        #expect(result.stderr.contains("no-such-manifest.json"))
        #expect(!result.stderr.contains("Traceback"))
    }

    // MARK: - each tool works

    @Test func workspaceFsReadReadsListsAndSearchesInsideTheWorkspaceOnly() throws {
        let workspace = try Workspace()
        let observation = try Self.observe(
            workspace: workspace,
            calls: [
                Call(name: "workspace_fs_read", arguments: ["operation": "read_file", "path": "README.md"]),
                Call(name: "workspace_fs_read", arguments: ["operation": "list_directory", "path": "."]),
                Call(
                    name: "workspace_fs_read",
                    arguments: ["operation": "search_files", "path": ".", "pattern": "*.txt"]),
                Call(name: "workspace_fs_read", arguments: ["operation": "read_file", "path": "../escape.txt"]),
                Call(name: "workspace_fs_read", arguments: ["operation": "read_file", "path": "outside/hostname"]),
                Call(name: "workspace_fs_read", arguments: ["operation": "read_file", "path": "missing.md"]),
            ])
        let results = Self.calls(observation)
        try #require(results.count == 6)
        let readme = try String(contentsOfFile: "\(workspace.path)/README.md", encoding: .utf8)
        #expect(results[0]["is_error"] == false)
        #expect(results[0]["structured"]?["content"]?.stringValue == readme)
        let entries = results[1]["structured"]?["entries"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
        #expect(entries == ["README.md", "outside", "src"])  // sorted, .git hidden
        let matches = results[2]["structured"]?["matches"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(matches == ["src/deep/more.txt", "src/notes.txt"])
        #expect(results[3]["is_error"] == true)
        #expect(results[3]["text"]?.stringValue?.contains("outside the workspace") == true)
        #expect(results[4]["is_error"] == true, "a symlink must not lead out of the workspace")
        #expect(results[5]["is_error"] == true)
        #expect(results[5]["text"]?.stringValue?.contains("missing.md") == true)
    }

    @Test func workspaceFsWriteWritesUnderScratchAndRefusesTheClone() throws {
        let workspace = try Workspace()
        let observation = try Self.observe(
            workspace: workspace,
            calls: [
                Call(
                    name: "workspace_fs_write",
                    arguments: ["operation": "write_file", "path": "notes/a.txt", "content": "hello"]),
                Call(name: "workspace_fs_write", arguments: ["operation": "create_directory", "path": "made/here"]),
                Call(
                    name: "workspace_fs_write",
                    arguments: [
                        "operation": "write_file", "path": .string("\(workspace.path)/README.md"), "content": "x",
                    ]),
                Call(
                    name: "workspace_fs_write",
                    arguments: ["operation": "write_file", "path": "../../escape.txt", "content": "x"]),
            ])
        let results = Self.calls(observation)
        try #require(results.count == 4)
        let scratch = "\(workspace.state.path)/scratch"
        #expect(results[0]["is_error"] == false)
        #expect(try String(contentsOfFile: "\(scratch)/notes/a.txt", encoding: .utf8) == "hello")
        var isDirectory: ObjCBool = false
        #expect(
            FileManager.default.fileExists(atPath: "\(scratch)/made/here", isDirectory: &isDirectory)
                && isDirectory.boolValue)
        #expect(results[2]["is_error"] == true)
        #expect(results[2]["text"]?.stringValue?.contains("inside the workspace clone") == true)
        #expect(results[3]["is_error"] == true)
        #expect(!FileManager.default.fileExists(atPath: "\(workspace.state.path)/../escape.txt"))
        #expect(try workspace.porcelain().isEmpty)
    }

    @Test func grepMatchesFixedStringsAndRegularExpressionsWithLineNumbers() throws {
        let workspace = try Workspace()
        let observation = try Self.observe(
            workspace: workspace,
            calls: [
                Call(
                    name: "grep",
                    arguments: [
                        "pattern": "manage_stelae", "paths": ["README.md"], "recursive": false,
                        "regexp": false, "line_number": true,
                    ]),
                Call(
                    name: "grep",
                    arguments: ["pattern": "^[A-Z][a-z]+ manage", "paths": ["src"], "recursive": true, "regexp": true]),
                Call(name: "grep", arguments: ["pattern": "manage_stelae", "paths": ["src"], "recursive": false]),
                Call(name: "grep", arguments: ["pattern": "x", "paths": ["nope.txt"]]),
                Call(name: "grep", arguments: ["pattern": "(", "regexp": true]),
            ])
        let results = Self.calls(observation)
        try #require(results.count == 5)
        let first = results[0]["structured"]?["matches"]?.arrayValue ?? []
        #expect(first.count == 1)
        #expect(first.first?["line"]?.intValue == 3)
        #expect(first.first?["path"]?.stringValue == "README.md")
        let second = results[1]["structured"]?["matches"]?.arrayValue ?? []
        #expect(second.map { $0["path"]?.stringValue } == ["src/notes.txt"])
        #expect(second.first?["line"] == nil, "line numbers only when asked")
        #expect(results[2]["structured"]?["count"]?.intValue == 0)
        #expect(results[2]["structured"]?["skipped"]?.arrayValue?.count == 1)
        #expect(results[3]["is_error"] == true)
        #expect(results[4]["is_error"] == true)
        #expect(results[4]["text"]?.stringValue?.contains("invalid regular expression") == true)
    }

    @Test func manageStelaeHonoursDryRunAndWritesOnlyTheStateHome() throws {
        let workspace = try Workspace()
        let install: [String: JSONValue] = ["name": "qdrant", "target_name": "qdrant_smoke", "force": true]
        var dryInstall = install
        dryInstall["dry_run"] = true
        let registry = "\(workspace.state.path)/installed_servers.json"
        let observation = try Self.observe(
            workspace: workspace,
            calls: [
                Call(name: "manage_stelae", arguments: ["operation": "list_discovered_servers"]),
                Call(name: "manage_stelae", arguments: ["operation": "install_server", "params": .object(dryInstall)]),
            ])
        let results = Self.calls(observation)
        try #require(results.count == 2)
        let servers = results[0]["structured"]?["servers"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
        #expect(servers.contains("qdrant"))
        #expect(results[1]["is_error"] == false)
        #expect(results[1]["structured"]?["installed"] == false)
        #expect(!FileManager.default.fileExists(atPath: registry), "a dry run writes nothing")

        let real = try Self.observe(
            workspace: workspace,
            calls: [
                Call(name: "manage_stelae", arguments: ["operation": "install_server", "params": .object(install)]),
                Call(
                    name: "manage_stelae",
                    arguments: [
                        "operation": "install_server", "params": ["name": "qdrant", "target_name": "qdrant_smoke"],
                    ]),
                Call(
                    name: "manage_stelae",
                    arguments: ["operation": "remove_server", "params": ["name": "qdrant_smoke", "dry_run": true]]),
                Call(name: "manage_stelae", arguments: ["operation": "list_discovered_servers"]),
                Call(
                    name: "manage_stelae",
                    arguments: ["operation": "remove_server", "params": ["name": "qdrant_smoke"]]),
                Call(
                    name: "manage_stelae",
                    arguments: ["operation": "remove_server", "params": ["name": "qdrant_smoke"]]),
                Call(
                    name: "manage_stelae",
                    arguments: ["operation": "install_server", "params": ["name": "no-such-server"]]),
            ])
        let steps = Self.calls(real)
        try #require(steps.count == 7)
        #expect(steps[0]["structured"]?["installed"] == true)
        #expect(steps[1]["is_error"] == true, "installing over an existing server needs force")
        #expect(steps[2]["structured"]?["removed"] == false)
        #expect(steps[3]["structured"]?["installed"]?.arrayValue?.compactMap(\.stringValue) == ["qdrant_smoke"])
        #expect(steps[4]["structured"]?["removed"] == true)
        #expect(steps[5]["is_error"] == true, "removing an absent server without force is an error")
        #expect(steps[6]["is_error"] == true)
        #expect(steps[6]["text"]?.stringValue?.contains("no-such-server") == true)
        #expect(try workspace.porcelain().isEmpty)
    }

    @Test func docSourcesAndDocumentsComeFromTheDocsFolder() throws {
        let workspace = try Workspace()
        let sourcesBefore = FileManager.default.contents(atPath: "\(SmokePaths.docs)/sources.json")
        let observation = try Self.observe(
            workspace: workspace,
            calls: [
                Call(name: "manage_docy_sources", arguments: ["operation": "list_sources"]),
                Call(
                    name: "manage_docy_sources",
                    arguments: [
                        "operation": "add_source", "params": ["name": "extra", "url": "https://example.invalid/docs"],
                    ]),
                Call(
                    name: "manage_docy_sources",
                    arguments: ["operation": "remove_source", "params": ["name": "mcp-spec"]]),
                Call(
                    name: "manage_docy_sources",
                    arguments: [
                        "operation": "add_source", "params": ["name": "extra", "url": "https://example.invalid/again"],
                    ]),
                Call(name: "doc_fetch_suite", arguments: ["operation": "list_documents"]),
                Call(name: "doc_fetch_suite", arguments: ["operation": "fetch_document", "name": "smoke-stack.md"]),
                Call(name: "doc_fetch_suite", arguments: ["operation": "fetch_document", "name": "../server.py"]),
                Call(name: "doc_fetch_suite", arguments: ["operation": "fetch_document"]),
            ])
        let results = Self.calls(observation)
        try #require(results.count == 8)
        func names(_ value: JSONValue?) -> [String] { value?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? [] }
        #expect(names(results[0]["structured"]?["sources"]) == ["local", "mcp-spec"])
        #expect(names(results[1]["structured"]?["sources"]) == ["extra", "local", "mcp-spec"])
        #expect(names(results[2]["structured"]?["sources"]) == ["extra", "local"])
        #expect(results[3]["is_error"] == true)
        let documents = try FileManager.default.contentsOfDirectory(atPath: SmokePaths.docs).filter {
            $0.hasSuffix(".md")
        }.sorted()
        #expect(names(results[4]["structured"]?["documents"]) == documents)
        let expected = try String(contentsOfFile: "\(SmokePaths.docs)/smoke-stack.md", encoding: .utf8)
        #expect(results[5]["structured"]?["content"]?.stringValue == expected)
        #expect(results[6]["is_error"] == true)
        #expect(results[7]["is_error"] == true)
        #expect(
            FileManager.default.contents(atPath: "\(SmokePaths.docs)/sources.json") == sourcesBefore,
            "tracked docs are never written")
    }

    @Test func argumentsThatBreakTheSchemaAreToolErrorsNamingTheProblem() throws {
        let workspace = try Workspace()
        let observation = try Self.observe(
            workspace: workspace,
            calls: [
                Call(name: "grep", arguments: ["paths": ["README.md"]]),
                Call(name: "workspace_fs_read", arguments: ["operation": "delete_everything", "path": "."]),
                Call(name: "no_such_tool", arguments: [:]),
            ])
        let results = Self.calls(observation)
        try #require(results.count == 3)
        #expect(results.allSatisfy { $0["is_error"] == true })
        #expect(results[0]["text"]?.stringValue?.contains("pattern") == true)
        #expect(results[1]["text"]?.stringValue?.contains("delete_everything") == true)
        #expect(results[2]["text"]?.stringValue?.contains("no_such_tool") == true)
    }
}

/// mcp_client.py, one for the whole suite (`.shared { try MCPClient() }`): its imports cost about
/// a second of CPU, the stack it starts per request far less. Requests go one at a time.
final class MCPClient: @unchecked Sendable {
    let process: BackgroundProcess
    private let lock = NSLock()
    private var nextID: Int64 = 0

    init() throws {
        process = try BackgroundProcess.python("\(SmokePaths.fixtures)/mcp_client.py", input: true)
    }

    /// Sends `request` (with an id of its own) and returns the observation answered for it.
    func observe(_ request: [String: JSONValue]) throws -> JSONValue {
        lock.lock()
        defer { lock.unlock() }
        nextID += 1
        var request = request
        request["id"] = .int(nextID)
        try process.send(JSONValue.object(request).encodedString())
        let prefix = "ANSWER \(nextID) "
        let line = try process.waitForLine(prefix: prefix, timeout: 90)
        let answer = try JSONValue.parse(Data(line.dropFirst(prefix.count).utf8), source: "mcp_client")
        if let error = answer["error"]?.stringValue {
            throw NSError(
                domain: "mcp_client", code: 1, userInfo: [NSLocalizedDescriptionKey: "mcp_client failed: \(error)"])
        }
        return answer
    }
}
