"""Fixture server `beta` (or the name given as its first argument) for the stelae_proxy tests: a real
FastMCP server over stdio that also starts a helper child (`sleep`) in its own process group, the
way a server's subprocesses would, so the test can check that the proxy's stop reaches the whole
group. Pids go to $STELAE_PROXY_FIXTURE_PIDS/<name>.pid and <name>-child.pid.
"""

import os
import subprocess
import sys
from pathlib import Path

from fastmcp import FastMCP

name = sys.argv[1] if len(sys.argv) > 1 else "beta"
mcp = FastMCP(name)


@mcp.tool(description="Beta's own description of greet.")
def greet(who: str) -> str:
    return f"hello {who} from {name}"


@mcp.tool(description="Echo a count back.")
def measure(count: int) -> dict:
    return {"count": count, "server": name}


@mcp.tool(description=f"Answers with the server's name ({name}).")
def whoami() -> str:
    return name


@mcp.tool(name=f"{name}_only", description=f"A tool only {name} offers.")
def only() -> str:
    return name


if __name__ == "__main__":
    helper = subprocess.Popen(["sleep", "600"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    pids = os.environ.get("STELAE_PROXY_FIXTURE_PIDS")
    if pids:
        Path(pids, f"{name}.pid").write_text(f"{os.getpid()}\n")
        Path(pids, f"{name}-child.pid").write_text(f"{helper.pid}\n")
    print(f"{name} fixture: starting", file=sys.stderr, flush=True)
    mcp.run(show_banner=False)
