import Foundation
import ProbeKit
import SmokeCore
import Testing

/// The modern stamp: envelope keys, routing headers and their encoding.
@Suite struct ModernEnvelopeTests {
    let envelope = ModernEnvelope(protocolVersion: "2026-07-28", clientVersion: "9.9")

    @Test func stampKeepsOtherMetaAndParams() {
        let stamped = envelope.stamp(["cursor": "c1", "_meta": ["progressToken": 7]])
        #expect(stamped["cursor"] == "c1")
        #expect(stamped["_meta"]?["progressToken"] == 7)
        #expect(stamped["_meta"]?["io.modelcontextprotocol/protocolVersion"] == "2026-07-28")
        #expect(stamped["_meta"]?["io.modelcontextprotocol/clientCapabilities"] == [:])
        #expect(
            stamped["_meta"]?["io.modelcontextprotocol/clientInfo"] == ["name": "probe-initialize", "version": "9.9"])
        #expect(envelope.stamp(nil)["_meta"]?.objectValue?.count == 3)
    }

    @Test func headersNameTheMethodAndTheTarget() {
        let headers = Dictionary(uniqueKeysWithValues: envelope.headers(method: "tools/call", params: ["name": "grep"]))
        #expect(headers["MCP-Protocol-Version"] == "2026-07-28")
        #expect(headers["Mcp-Method"] == "tools/call")
        #expect(headers["Mcp-Name"] == "grep")
        let read = Dictionary(
            uniqueKeysWithValues: envelope.headers(method: "resources/read", params: ["uri": "file:///a b"]))
        #expect(read["Mcp-Name"] == "file:///a b")
        #expect(
            Dictionary(uniqueKeysWithValues: envelope.headers(method: "tools/list", params: nil))["Mcp-Name"] == nil)
    }

    @Test func headerValuesThatWouldNotSurviveAreBase64Wrapped() {
        #expect(ModernEnvelope.encodeHeaderValue("plain-name") == "plain-name")
        #expect(ModernEnvelope.encodeHeaderValue("héllo") == "=?base64?aMOpbGxv?=")
        #expect(ModernEnvelope.encodeHeaderValue(" padded") == "=?base64?IHBhZGRlZA==?=")
        #expect(ModernEnvelope.encodeHeaderValue("=?base64?x?=").hasPrefix("=?base64?PT9"))
    }

    @Test func xMcpHeaderArgumentsBecomeMcpParamHeaders() {
        let schema: JSONValue = [
            "type": "object",
            "properties": [
                "region": ["type": "string", "x-mcp-header": "Region"],
                "count": ["type": "integer", "x-mcp-header": "Count"],
                "debug": ["type": "boolean", "x-mcp-header": "Debug"],
                "ratio": ["type": "number", "x-mcp-header": "Ratio"],  // number is not allowed
                "plain": ["type": "string"],
            ],
        ]
        let params: JSONValue = [
            "name": "t", "arguments": ["region": "eu", "count": 3, "debug": true, "ratio": 0.5, "plain": "p"],
        ]
        let headers = envelope.headers(method: "tools/call", params: params, inputSchema: schema).filter {
            $0.0.hasPrefix("Mcp-Param-")
        }
        #expect(
            headers.map { "\($0.0)=\($0.1)" } == ["Mcp-Param-Count=3", "Mcp-Param-Debug=true", "Mcp-Param-Region=eu"])
    }
}
