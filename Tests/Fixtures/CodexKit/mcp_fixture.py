"""FastMCP server for codex-stage tests, on 127.0.0.1, port chosen by the kernel.

Prints `READY <port>` once the socket listens. Tools cover every outcome a Codex stage can
meet: success, a raised error, argument validation, a slow call, a large result, and a server
that dies in the middle of a call.
"""

import asyncio
import os
import socket
import sys

import uvicorn
from fastmcp import FastMCP

mcp = FastMCP("codex-fixture")


@mcp.tool
def echo(text: str) -> str:
    """Returns the text it was given."""
    return f"echo: {text}"


@mcp.tool
def count(n: int) -> str:
    """Counts to n (n must be an integer)."""
    return " ".join(str(i) for i in range(1, n + 1))


@mcp.tool
def explode(text: str = "") -> str:
    """Always raises, as a proxy does when it parses an empty body as JSON."""
    raise ValueError("Expecting value: line 1 column 1 (char 0)")


@mcp.tool
async def slow(seconds: float) -> str:
    """Sleeps, then answers."""
    await asyncio.sleep(seconds)
    return f"slept {seconds}"


@mcp.tool
def big(size: int = 1_048_576) -> str:
    """Returns a text result of `size` bytes."""
    return "x" * size


@mcp.tool
def crash(text: str = "") -> str:
    """Kills the whole server in the middle of the call."""
    sys.stdout.flush()
    os._exit(3)


def main() -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    port = sock.getsockname()[1]
    app = mcp.http_app(path="/mcp")
    config = uvicorn.Config(app, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    # The socket already listens: a client connecting before uvicorn accepts just waits in the backlog.
    print(f"READY {port}", flush=True)
    asyncio.run(server.serve(sockets=[sock]))


if __name__ == "__main__":
    main()
