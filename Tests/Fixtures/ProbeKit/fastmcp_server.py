"""A real FastMCP streamable-HTTP server for the probe-initialize tests.

Prints `PORT <p>` as soon as the port is reserved (bound, not listening: connects are refused),
`READY <p>` once uvicorn really serves, `LISTEN <unix time>` when it starts accepting and
`FIRST_OK <unix time>` when it sends its first 2xx answer to a POST (the first good answer).

  --json-response     answer with application/json instead of an SSE stream
  --tools N           publish tool_00 .. tool_{N-1}
  --page-size K       paginate tools/list with K tools per page (FastMCP list_page_size)
  --listen-delay S    stay bound-but-not-listening for S seconds first
  --tools-delay S     publish only tool_00 until S seconds after listening, then all N
  --stdio             serve MCP over stdin/stdout instead (no port, no READY line: stdout is
                      the protocol's); --tools and --page-size work the same
  --tools-after-lists K  the first K tools/list answers hold only tool_00; each answer
                      prints `TOOLS_LISTED <n>` on stderr (a tool wait must poll K+1 times)
  --child-pid-file F  (stdio) start a child process that sleeps, and write its pid to F: a
                      test checks that stopping the server's process group took it down too
  --call-tools        also publish big(bytes) (a text of that many bytes), fail (raises: isError)
                      and typed(count: int) (FastMCP rejects a non-integer count)
  --resources N, --prompts N  resource://fixture/r<i> and prompt_<i>
"""

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import time

import uvicorn
from fastmcp import FastMCP
from fastmcp.server.middleware import Middleware

import fixture_server


def say(line: str) -> None:
    print(line, flush=True)




def add_call_tools(mcp: FastMCP) -> None:
    def big(bytes: int = 1024) -> str:
        return "x" * bytes

    def fail() -> str:
        raise ValueError("the fixture fails on purpose")

    def typed(count: int) -> int:
        return count * 2

    for tool in (big, fail, typed):
        mcp.tool(tool, name=tool.__name__)


def add_catalog(mcp: FastMCP, args) -> None:
    if args.call_tools:
        add_call_tools(mcp)
    def text(value: str):
        def read() -> str:  # no parameters: a parameter would make the resource a template
            return value

        return read

    for index in range(args.resources):
        mcp.resource(f"resource://fixture/r{index}", name=f"r{index}")(text(f"resource {index}"))
    for index in range(args.prompts):
        mcp.prompt(name=f"prompt_{index}")(text(f"prompt {index}"))


def add_tools(mcp: FastMCP, indices) -> None:
    for index in indices:
        name = f"tool_{index:02d}"

        def make(tool_name: str):
            def tool(text: str = "") -> str:
                return f"{tool_name}:{text}"

            return tool

        mcp.tool(make(name), name=name, description=f"Fixture tool {index}")


class FirstGoodAnswer:
    """ASGI wrapper that notes the first 2xx answer to a POST."""

    def __init__(self, app):
        self.app = app
        self.seen = False

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("method") != "POST" or self.seen:
            return await self.app(scope, receive, send)

        async def watching_send(message):
            if message["type"] == "http.response.start" and 200 <= message["status"] < 300 and not self.seen:
                self.seen = True
                say(f"FIRST_OK {time.time():.6f}")
            await send(message)

        return await self.app(scope, receive, watching_send)


async def serve_stdio(args) -> None:
    if args.child_pid_file:
        # Same process group as this server: only a signal to the group reaches it.
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"], stdin=subprocess.DEVNULL,
                                 stdout=subprocess.DEVNULL)
        with open(args.child_pid_file + ".tmp", "w") as out:
            out.write(str(child.pid))
        os.replace(args.child_pid_file + ".tmp", args.child_pid_file)
    mcp = FastMCP("fixture-fastmcp", version="9.8.7", list_page_size=args.page_size or None)
    add_tools(mcp, range(args.tools))
    add_catalog(mcp, args)
    if args.tools_after_lists > 0:
        mcp.add_middleware(HideToolsUntil(args.tools_after_lists))
    await mcp.run_stdio_async(show_banner=False)


class HideToolsUntil(Middleware):
    """The first `lists` tools/list answers hold only tool_00 (a catalog still filling up)."""

    def __init__(self, lists: int):
        self.lists = lists
        self.calls = 0

    async def on_list_tools(self, context, call_next):
        tools = await call_next(context)
        self.calls += 1
        print(f"TOOLS_LISTED {self.calls}", file=sys.stderr, flush=True)
        return tools if self.calls > self.lists else [tool for tool in tools if tool.name == "tool_00"]


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json-response", action="store_true")
    parser.add_argument("--tools", type=int, default=3)
    parser.add_argument("--page-size", type=int, default=0)
    parser.add_argument("--listen-delay", type=float, default=0.0)
    parser.add_argument("--tools-delay", type=float, default=0.0)
    parser.add_argument("--stdio", action="store_true")
    parser.add_argument("--child-pid-file", default="")
    parser.add_argument("--tools-after-lists", type=int, default=0)
    parser.add_argument("--call-tools", action="store_true")
    parser.add_argument("--resources", type=int, default=0)
    parser.add_argument("--prompts", type=int, default=0)
    args = parser.parse_args()
    if args.stdio:
        await serve_stdio(args)
        return

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    say(f"PORT {port}")

    mcp = FastMCP("fixture-fastmcp", version="9.8.7", list_page_size=args.page_size or None)
    # With --tools-delay only the first tool is there at first (a slow downstream server).
    add_tools(mcp, range(1 if args.tools_delay > 0 else args.tools))
    add_catalog(mcp, args)
    if args.tools_after_lists > 0:
        mcp.add_middleware(HideToolsUntil(args.tools_after_lists))
    app = FirstGoodAnswer(mcp.http_app(path="/mcp", json_response=args.json_response))
    config = uvicorn.Config(app, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)

    if args.listen_delay > 0:
        await asyncio.sleep(args.listen_delay)
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if serving.done():
            serving.result()
            sys.exit(1)
        await asyncio.sleep(0.002)
    say(f"LISTEN {time.time():.6f}")
    say(f"READY {port}")
    if args.tools_delay > 0:
        await asyncio.sleep(args.tools_delay)
        add_tools(mcp, range(1, args.tools))
        say("TOOLS_ENABLED")
    await serving


if __name__ == "__main__":
    fixture_server.serve(main)
