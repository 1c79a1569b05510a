"""A real MCP server (FastMCP, streamable HTTP on 127.0.0.1, port chosen by the kernel) whose
tools/list answers are given catalogs, verbatim.

Usage: catalog_server.py CATALOGS.json

CATALOGS.json is {"catalogs": {"<name>": {"tools": [...]}, ...}}; catalog <name> is served at
/<name>/mcp. Its "tools" are MCP tool objects (name, description, inputSchema, outputSchema,
_meta, annotations, ...) sent exactly as written and in that order: names that repeat, schemas
the MCP SDK itself would refuse to send, entries no client can decode. The codex-acceptance tests
show the real Codex CLI such catalogs, one entry per rule `render-manifest lint` checks.

A catalog may also name a "grow" tool and list "later" tools: calling the grow tool appends the
later tools to that catalog and sends notifications/tools/list_changed on the call's stream.

FastMCP serves initialize, notifications and tools/call (every tool answers "called <name>", the
name the server received). Only tools/list is answered here, before FastMCP sees it, because the
SDK validates its own answers against the protocol and would refuse to send the catalogs under
test. Each answered tools/list is logged on stderr as `LIST <catalog> <number of tools>`.

Prints `READY <port>` once the socket listens.
"""

import asyncio
import json
import socket
import sys
from typing import Any

import mcp.types
import uvicorn
from fastmcp import FastMCP
from fastmcp.server.dependencies import get_context
from fastmcp.tools import Tool
from fastmcp.tools.base import ToolResult


class NamedTool(Tool):
    """Calling it just names it."""

    async def run(self, arguments: dict[str, Any]) -> ToolResult:
        return ToolResult(content=[mcp.types.TextContent(type="text", text=f"called {self.name}")])


class GrowTool(Tool):
    """Calling it appends the later tools to its catalog and says so with list_changed."""

    catalog: list[Any]
    later: list[Any]

    async def run(self, arguments: dict[str, Any]) -> ToolResult:
        self.catalog.extend(self.later)
        self.later.clear()
        await get_context().send_notification(mcp.types.ToolListChangedNotification())
        return ToolResult(content=[mcp.types.TextContent(type="text", text=f"called {self.name}; the catalog grew")])


def serve_catalogs(inner, catalogs: dict[str, list[Any]]):
    """ASGI wrapper: POST /<name>/mcp with a JSON-RPC tools/list gets catalog <name> as it is;
    everything else goes to FastMCP's /mcp."""

    async def app(scope, receive, send):
        if scope["type"] != "http":
            await inner(scope, receive, send)
            return
        parts = scope["path"].strip("/").split("/")
        if len(parts) != 2 or parts[1] != "mcp" or parts[0] not in catalogs:
            await send({"type": "http.response.start", "status": 404, "headers": [(b"content-type", b"text/plain")]})
            await send({"type": "http.response.body", "body": b"no such catalog"})
            return
        name = parts[0]
        scope = dict(scope, path="/mcp", raw_path=b"/mcp")
        if scope["method"] != "POST":
            await inner(scope, receive, send)
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message)
            if message["type"] != "http.request" or not message.get("more_body"):
                break
        body = b"".join(m.get("body", b"") for m in chunks if m["type"] == "http.request")
        try:
            request = json.loads(body)
        except ValueError:
            request = None
        if isinstance(request, dict) and request.get("method") == "tools/list":
            tools = catalogs[name]
            print(f"LIST {name} {len(tools)}", file=sys.stderr, flush=True)
            answer = json.dumps({"jsonrpc": "2.0", "id": request.get("id"), "result": {"tools": tools}}).encode()
            headers = [(b"content-type", b"application/json"), (b"content-length", str(len(answer)).encode())]
            session = dict(scope["headers"]).get(b"mcp-session-id")
            if session:
                headers.append((b"mcp-session-id", session))
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": answer})
            return
        pending = list(chunks)

        async def replay():
            return pending.pop(0) if pending else await receive()

        await inner(scope, replay, send)

    return app


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as handle:
        document = json.load(handle)["catalogs"]
    server = FastMCP("codex-acceptance")
    catalogs: dict[str, list[Any]] = {}
    registered: set[str] = set()
    for catalog_name, catalog in document.items():
        tools, later = catalog["tools"], catalog.get("later", [])
        catalogs[catalog_name] = tools
        for entry in tools + later:
            name = entry.get("name") if isinstance(entry, dict) else None
            if not isinstance(name, str) or not name or name in registered:
                continue
            registered.add(name)
            if name == catalog.get("grow"):
                server.add_tool(GrowTool(name=name, parameters={"type": "object"}, catalog=tools, later=later))
            else:
                server.add_tool(NamedTool(name=name, parameters={"type": "object"}))

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    port = sock.getsockname()[1]
    app = serve_catalogs(server.http_app(path="/mcp"), catalogs)
    uv = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    # The socket already listens: a client connecting before uvicorn accepts just waits in the backlog.
    print(f"READY {port}", flush=True)
    asyncio.run(uv.serve(sockets=[sock]))


if __name__ == "__main__":
    main()
