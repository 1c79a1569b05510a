"""The `core` server of the Stelae-shaped fixture: a real FastMCP server over stdio."""

import os

from fastmcp import FastMCP

mcp = FastMCP("core")


@mcp.tool(description="Answer with the greeting this server was started with (CORE_GREETING).")
def ping() -> str:
    return os.environ.get("CORE_GREETING", "no greeting in the environment")


if __name__ == "__main__":
    mcp.run(transport="stdio", show_banner=False)
