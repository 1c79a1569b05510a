import Foundation
import ManifestKit
import SmokeCore
import SmokeTestSupport

/// A temp config home with a template and catalogs, and a render that reads only it: the
/// process environment is replaced, so the developer's own ~/.config/stelae never leaks in.
final class RenderFixture: @unchecked Sendable {
    let directory: TempDirectory
    var options = RenderOptions()

    static let minimalTemplate = """
        {
          "mcpProxy": {"baseURL": "{{PUBLIC_BASE_URL}}", "addr": ":{{PROXY_PORT}}", "name": "t", "type": "streamable-http"},
          "manifest": {"toolOverridesPath": "{{TOOL_OVERRIDES_PATH}}"},
          "mcpServers": {"stelae": {"type": "stdio", "command": "python", "args": ["{{ STATE_HOME }}/server.py"]}}
        }
        """

    /// One enabled tool: a render with nothing enabled is `empty_manifest`, so fixtures that test
    /// something else start from this catalog (`baseCatalog: false` leaves it out).
    static let baseCatalog = #"{"toolOverrides": {"servers": {"base": {"tools": {"ping": {"description": "Ping."}}}}}}"#

    init(template: String = RenderFixture.minimalTemplate, baseCatalog: Bool = false) throws {
        directory = try TempDirectory(prefix: "manifest-kit")
        try directory.write("config/proxy.template.json", template)
        options.workingDirectory = directory.path
        options.template = "config/proxy.template.json"
        options.configHome = directory.file("home")
        options.outDir = directory.file("out")
        options.processEnvironment = ["HOME": directory.path]
        try FileManager.default.createDirectory(atPath: directory.file("home"), withIntermediateDirectories: true)
        if baseCatalog { try catalog("catalog/base.json", Self.baseCatalog) }
    }

    var path: String { directory.path }

    @discardableResult
    func write(_ relative: String, _ contents: String) throws -> String { try directory.write(relative, contents) }

    /// Adds a `--catalog` fragment (path relative to the fixture, as a user would type it).
    func catalog(_ relative: String, _ contents: String) throws {
        try write(relative, contents)
        options.catalogs.append(relative)
    }

    func plan() throws -> RenderPlan { try Renderer.plan(options) }

    /// Renders and writes; returns the plan and whether bytes changed.
    @discardableResult
    func render() throws -> (plan: RenderPlan, changed: Bool) {
        let plan = try Renderer.plan(options)
        return (plan, try plan.write())
    }

    /// The SmokeError a render throws (nil when it succeeds).
    func renderError() -> SmokeError? {
        do {
            _ = try render()
            return nil
        } catch let error as SmokeError {
            return error
        } catch {
            return SmokeError(.unexpectedError, "\(error)")
        }
    }

    func output(_ name: String) throws -> JSONValue {
        try JSONValue.load(path: directory.file("out/\(name)"))
    }

    func outputBytes(_ name: String) -> Data? { FileManager.default.contents(atPath: directory.file("out/\(name)")) }

    /// The embedded stack's core catalog, from the repository.
    static var coreCatalog: String { "\(ProjectPaths.root)/stack/catalog/core.json" }
    static var stackTemplate: String { "\(ProjectPaths.root)/stack/proxy.template.json" }
}

/// A one-aggregate fragment; `extra` is spliced into the aggregate object.
func aggregateFragment(name: String = "suite", server: String? = nil, extra: String = "") -> String {
    let serverKey = server.map { "\"server\": \"\($0)\"," } ?? ""
    return """
        {"toolAggregations": {"schemaVersion": 1, "aggregations": [{
          "name": "\(name)", \(serverKey) "description": "A suite.",
          "inputSchema": {"type": "object", "properties": {"operation": {"type": "string", "enum": ["a", "b"]}}, "required": ["operation"]},
          "operations": [{"value": "a", "downstreamServer": "fs", "downstreamTool": "read_a"},
                         {"value": "b", "downstreamServer": "fs", "downstreamTool": "read_b"}]
          \(extra)
        }]}}
        """
}
