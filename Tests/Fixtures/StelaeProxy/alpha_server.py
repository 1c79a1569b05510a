"""Fixture server `alpha` for the stelae_proxy tests: a real FastMCP server over stdio.

`secret` returns STELAE_PROXY_FIXTURE_SECRET, which only the server's `env` in proxy.json sets, so a
call through the proxy proves that env reaches the server. Its pid goes to
$STELAE_PROXY_FIXTURE_PIDS/alpha.pid so the test can check that the proxy's stop leaves none behind.
"""

import os
import sys
from pathlib import Path

from fastmcp import FastMCP

mcp = FastMCP("alpha")


@mcp.tool(description="Alpha's own description of secret.")
def secret() -> str:
    """Return the secret the proxy's config hands to this server."""
    return os.environ.get("STELAE_PROXY_FIXTURE_SECRET", "<unset>")


@mcp.tool(description="Add two integers.")
def add(a: int, b: int) -> int:
    return a + b


@mcp.tool(description="A tool the overrides hide.")
def hidden() -> str:
    return "hidden"


@mcp.tool(description="Answers with the server's name (alpha).")
def whoami() -> str:
    return "alpha"


@mcp.tool(description="Answers with `size` bytes of text (Stelae's Go proxy lost answers over 64 KiB).")
def big(size: int) -> str:
    return "x" * size


@mcp.tool(description="Always fails with a tool error.")
def fail() -> str:
    raise ValueError("alpha refuses")


if __name__ == "__main__":
    pids = os.environ.get("STELAE_PROXY_FIXTURE_PIDS")
    if pids:
        Path(pids, "alpha.pid").write_text(f"{os.getpid()}\n")
    print("alpha fixture: starting", file=sys.stderr, flush=True)
    mcp.run(show_banner=False)
