"""MCP servers that speak one protocol era only, for the probe's era tests, built on the pinned
SDK's low-level `Server` (mcp 2.3.0), over streamable HTTP or stdio.

  --era legacy    handshake only (2024-11-05 .. 2025-11-25). HTTP: a request stamped with a
                  version the handshake does not know (server/discover at 2026-07-28) is answered
                  the way an mcp 1.x server answers it: HTTP 400 with JSON-RPC -32600
                  "Bad Request: Missing session ID" (id "server-error"). stdio: the SDK's
                  handshake-only loop (`serve_loop`).
  --era modern    2026-07-28 only. HTTP: a request not stamped with a served modern version
                  (initialize included) is answered 400 with -32022 {supported, requested}, as
                  the SDK's modern entry words it. stdio: the SDK's modern stream loop, where
                  initialize gets -32022.
  --supported V[,V...]  (HTTP, modern) the versions served (default 2026-07-28); a request at
                  any other version is answered -32022 naming this list
  --stdio         serve on stdin/stdout instead of a port
  --tools N       tool_00 .. tool_{N-1} (echo their `text` as structuredContent {echo}); always
                  also: fail (isError), bad_shape (structuredContent that breaks its
                  outputSchema), strict (rejects a non-integer `count` with JSON-RPC -32602),
                  big (a text of `bytes` bytes), patterned (a result valid for everything the
                  probe checks, with a `pattern` keyword it does not)
  --resources N, --prompts N   resource://fixture/r<i> and prompt_<i>

HTTP prints `READY <port>` once serving; each request is logged as `REQ <json>` (method, path,
headers, body) on stdout.
"""

import argparse
import json
import socket

import anyio
import uvicorn
from mcp.server.lowlevel import Server
from mcp.shared.exceptions import MCPError
from mcp_types import (
    CallToolResult,
    ListPromptsResult,
    ListResourcesResult,
    ListToolsResult,
    Prompt,
    Resource,
    TextContent,
    Tool,
)
from mcp_types.jsonrpc import INVALID_PARAMS
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS, MODERN_PROTOCOL_VERSIONS

import fixture_server

args = None


def say(line: str) -> None:
    print(line, flush=True)




ECHO_INPUT = {"type": "object", "properties": {"text": {"type": "string"}}}
ECHO_OUTPUT = {"type": "object", "properties": {"echo": {"type": "string"}}, "required": ["echo"]}
BAD_SHAPE_OUTPUT = {
    "type": "object",
    "properties": {"count": {"type": "integer"}, "items": {"type": "array", "items": {"type": "string"}}},
    "required": ["count", "items"],
    "additionalProperties": False,
}
PATTERNED_OUTPUT = {
    "type": "object",
    "properties": {"id": {"type": "string", "pattern": "^[a-z]+-[0-9]+$"}},
    "required": ["id"],
}


def tools() -> list[Tool]:
    listed = [
        Tool(name=f"tool_{i:02d}", description=f"Echo tool {i}", input_schema=ECHO_INPUT, output_schema=ECHO_OUTPUT)
        for i in range(args.tools)
    ]
    listed += [
        Tool(name="fail", description="Always fails (isError)", input_schema={"type": "object"}),
        Tool(name="bad_shape", description="Breaks its own outputSchema", input_schema={"type": "object"},
             output_schema=BAD_SHAPE_OUTPUT),
        Tool(name="strict", description="Wants an integer count",
             input_schema={"type": "object", "properties": {"count": {"type": "integer"}}, "required": ["count"]}),
        Tool(name="big", description="Answers `bytes` bytes of text",
             input_schema={"type": "object", "properties": {"bytes": {"type": "integer"}}}),
        Tool(name="patterned", description="An id checked by a pattern", input_schema={"type": "object"},
             output_schema=PATTERNED_OUTPUT),
    ]
    return listed


async def list_tools(ctx, params) -> ListToolsResult:
    return ListToolsResult(tools=tools())


async def call_tool(ctx, params) -> CallToolResult:
    arguments = params.arguments or {}
    name = params.name
    if name.startswith("tool_"):
        text = str(arguments.get("text", ""))
        return CallToolResult(content=[TextContent(text=f"{name}:{text}")], structured_content={"echo": f"{name}:{text}"})
    if name == "fail":
        return CallToolResult(content=[TextContent(text="the fixture fails on purpose")], is_error=True)
    if name == "bad_shape":
        shape = {"count": "three", "items": ["a", 2]}
        return CallToolResult(content=[TextContent(text=json.dumps(shape))], structured_content=shape)
    if name == "strict":
        if not isinstance(arguments.get("count"), int) or isinstance(arguments.get("count"), bool):
            raise MCPError(code=INVALID_PARAMS, message="Invalid params: count must be an integer")
        return CallToolResult(content=[TextContent(text=f"count {arguments['count']}")])
    if name == "big":
        size = int(arguments.get("bytes", 1024))
        return CallToolResult(content=[TextContent(text="x" * size)])
    if name == "patterned":
        return CallToolResult(content=[TextContent(text="abc-12")], structured_content={"id": "abc-12"})
    raise MCPError(code=INVALID_PARAMS, message=f"Unknown tool: {name}")


async def list_resources(ctx, params) -> ListResourcesResult:
    return ListResourcesResult(
        resources=[Resource(uri=f"resource://fixture/r{i}", name=f"r{i}") for i in range(args.resources)])


async def list_prompts(ctx, params) -> ListPromptsResult:
    return ListPromptsResult(prompts=[Prompt(name=f"prompt_{i}") for i in range(args.prompts)])


def make_server() -> Server:
    handlers = {"on_list_tools": list_tools, "on_call_tool": call_tool}
    if args.resources:
        handlers["on_list_resources"] = list_resources
    if args.prompts:
        handlers["on_list_prompts"] = list_prompts
    return Server(f"era-{args.era}", version="1.2.3", **handlers)


def rpc_error_response(status: int, message_id, code: int, text: str, data=None):
    error = {"code": code, "message": text}
    if data is not None:
        error["data"] = data
    body = json.dumps({"jsonrpc": "2.0", "id": message_id, "error": error}).encode()
    return status, body


class EraGate:
    """ASGI wrapper: lets through only the requests of this server's era and answers the others
    the way a server of that era does."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        chunks = []
        more = True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        say("REQ " + json.dumps({"method": scope["method"], "path": scope["path"], "headers": headers,
                                 "body": body.decode("utf-8", "replace")}))
        rejection = self.reject(scope["method"], headers, body)
        if rejection is not None:
            status, payload = rejection
            await send({"type": "http.response.start", "status": status,
                        "headers": [(b"content-type", b"application/json"),
                                    (b"content-length", str(len(payload)).encode())]})
            await send({"type": "http.response.body", "body": payload})
            return

        replayed = False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    def reject(self, method, headers, body):
        version = headers.get("mcp-protocol-version")
        try:
            message = json.loads(body) if body else {}
        except ValueError:
            message = {}
        message_id = message.get("id") if isinstance(message, dict) else None
        if args.era == "legacy":
            if method == "POST" and version is not None and version not in HANDSHAKE_PROTOCOL_VERSIONS:
                if "mcp-session-id" not in headers:
                    return rpc_error_response(400, "server-error", -32600, "Bad Request: Missing session ID")
                return rpc_error_response(
                    400, "server-error", -32600,
                    f"Bad Request: Unsupported protocol version: {version}. "
                    f"Supported versions: {', '.join(HANDSHAKE_PROTOCOL_VERSIONS)}")
            return None
        # modern only
        if method != "POST":
            return 405, b""
        if version in args.supported and version in MODERN_PROTOCOL_VERSIONS:
            return None
        requested = version
        if requested is None and isinstance(message, dict):
            requested = (message.get("params") or {}).get("protocolVersion", "")
        return rpc_error_response(400, message_id, -32022, "Unsupported protocol version",
                                  {"supported": args.supported, "requested": requested or ""})


async def serve_stdio(server: Server) -> None:
    from mcp.server import runner
    from mcp.server.stdio import stdio_server

    async with stdio_server() as (read_stream, write_stream):
        async with server.lifespan(server) as state:
            if args.era == "legacy":
                await runner.serve_loop(server, read_stream, write_stream, lifespan_state=state,
                                        init_options=server.create_initialization_options())
            else:
                # The SDK's own modern stream loop (what serve_dual_era_loop runs for a connection
                # opened with an enveloped request), without the handshake branch.
                await runner._serve_modern_stream(server, read_stream, write_stream, lifespan_state=state,
                                                  raise_exceptions=False)


def main() -> None:
    global args
    parser = argparse.ArgumentParser()
    parser.add_argument("--era", choices=["legacy", "modern"], required=True)
    parser.add_argument("--supported", default=",".join(MODERN_PROTOCOL_VERSIONS))
    parser.add_argument("--stdio", action="store_true")
    parser.add_argument("--tools", type=int, default=2)
    parser.add_argument("--resources", type=int, default=0)
    parser.add_argument("--prompts", type=int, default=0)
    args = parser.parse_args()
    args.supported = [v for v in args.supported.split(",") if v]
    server = make_server()
    if args.stdio:
        anyio.run(serve_stdio, server)
        return

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    app = EraGate(server.streamable_http_app(streamable_http_path="/mcp", json_response=True))
    config = uvicorn.Config(app, log_level="warning", lifespan="on")
    uv = uvicorn.Server(config)

    async def run():
        serving = anyio.create_task_group()
        async with serving:
            serving.start_soon(uv.serve, [sock])
            while not uv.started:
                await anyio.sleep(0.002)
            say(f"READY {port}")

    anyio.run(run)


if __name__ == "__main__":
    fixture_server.serve(main)
