import Foundation
import SmokeCore

/// Runs a built tool and decodes its single JSON answer, for end-to-end tests.
public struct ToolRun: Sendable {
    public var status: Int32
    public var json: JSONValue
    public var stdout: String
    public var stderr: String

    public static func run(
        _ tool: String, _ arguments: [String], cwd: String? = nil, environment: [String: String]? = nil,
        stdin: String? = nil
    ) throws -> ToolRun {
        let result = try ChildProcess.run(
            ProjectPaths.binary(tool), arguments, cwd: cwd, environment: environment, stdin: stdin)
        let json = try JSONValue.parse(Data(result.stdout.utf8), source: "\(tool) stdout")
        return ToolRun(status: result.status, json: json, stdout: result.stdout, stderr: result.stderr)
    }

    public var errorCode: String? { json["error"]?["code"]?.stringValue }
}
