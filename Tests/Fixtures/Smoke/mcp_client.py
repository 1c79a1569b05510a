"""A small MCP client for the stack/server.py tests: for each request it starts the embedded
stack, lists its tools, makes the calls it is given and answers one JSON document of what it
observed. The Swift tests do the asserting.

One client serves a whole test suite (its imports cost a second of CPU; a stack per request costs
far less): it reads requests from stdin, one JSON object per line,

  {"id": N, "server": "stack/server.py", "manifest": M, "workspace": W, "docs": D, "state": S,
   "via": "stdio"|"proxy", "calls": [{"name": ..., "arguments": {...}}]}

and answers each with one line, `ANSWER <id> <json>`: the observation, or {"error": "<traceback>"}.
It exits at end of input.

--via proxy runs the real path: a rendered-style proxy.json served by `fastmcp run ... --transport
http` on a free loopback port, then streamable HTTP; --via stdio talks to server.py directly.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

from fastmcp import Client
from fastmcp.client.transports import StdioTransport


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def exercise(target, calls: list[dict]) -> dict:
    async with Client(target, timeout=30) as client:
        listed = await client.list_tools_mcp()
        tools = [t.model_dump(by_alias=True, exclude_none=True, mode="json") for t in listed.tools]
        results = []
        for call in calls:
            result = await client.call_tool_mcp(call["name"], call.get("arguments") or {})
            text = "".join(getattr(block, "text", "") for block in result.content)
            results.append({"name": call["name"], "arguments": call.get("arguments") or {},
                            "is_error": bool(result.is_error), "text": text,
                            "structured": result.structured_content})
        return {"tools": tools, "calls": results}


async def via_proxy(env: dict, server: str, calls: list[dict]) -> dict:
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="smoke-proxy-") as temporary:
        config = Path(temporary) / "proxy.json"
        config.write_text(json.dumps({
            "mcpProxy": {"baseURL": f"http://127.0.0.1:{port}", "addr": f":{port}", "name": "stelae",
                         "version": "1.0.0", "type": "streamable-http", "options": {}},
            "manifest": {"toolOverridesPath": str(Path(temporary) / "tool_overrides.json")},
            "mcpServers": {"stelae": {"type": "stdio", "command": sys.executable, "args": [server], "env": env}},
        }))
        log = open(Path(temporary) / "stack.log", "w")
        fastmcp = str(Path(sys.executable).parent / "fastmcp")
        child = subprocess.Popen(
            [fastmcp, "run", str(config), "--transport", "http", "--port", str(port)],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            env=dict(os.environ, FASTMCP_CHECK_FOR_UPDATES="off", FASTMCP_SHOW_SERVER_BANNER="false"))
        try:
            deadline = time.monotonic() + 30
            while True:  # bounded: the proxy listens within seconds or the deadline fails the run
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                        break
                except OSError:
                    if child.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError("proxy did not start: " + (Path(temporary) / "stack.log").read_text()[-2000:])
                    await asyncio.sleep(0.05)
            return await exercise(f"http://127.0.0.1:{port}/mcp", calls)
        finally:
            os.killpg(child.pid, signal.SIGTERM)
            try:
                child.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()


def observe(request: dict) -> dict:
    env = {"STELAE_SMOKE_MANIFEST": request["manifest"], "STELAE_SMOKE_WORKSPACE": request["workspace"],
           "STELAE_SMOKE_DOCS": request["docs"], "STELAE_SMOKE_STATE": request["state"],
           "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    calls = request.get("calls") or []
    if request.get("via", "stdio") == "proxy":
        return asyncio.run(via_proxy(env, request["server"], calls))
    return asyncio.run(exercise(StdioTransport(sys.executable, [request["server"]], env=env), calls))


def main() -> int:
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        try:
            answer = observe(request)
        except Exception:  # the test shows it; the next request still gets its own client
            answer = {"error": traceback.format_exc()}
        print(f"ANSWER {request['id']} {json.dumps(answer, sort_keys=True)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
