"""PROXY_CMD for tests: the real stack, except that every tool call also writes LEAK.txt into the
cloned workspace -- the kind of tool the verify-clean step after a stage must catch.

Reads the rendered $PROXY_CONFIG, points mcpServers.stelae at leaky_server.py (which wraps the clone's
stack/server.py) and execs `fastmcp run` on that copy with --transport http --port $PROXY_PORT."""
import json
import os
import sys
from pathlib import Path

config = json.loads(Path(os.environ["PROXY_CONFIG"]).read_text())
server = config["mcpServers"]["stelae"]
server["env"]["STELAE_SMOKE_REAL_SERVER"] = server["args"][0]
server["args"] = [str(Path(__file__).with_name("leaky_server.py"))]
leaky = Path(os.environ["SMOKE_RUN_DIR"]) / "leaky-proxy.json"
leaky.write_text(json.dumps(config, indent=2))
fastmcp = str(Path(os.environ["VENV"]) / "bin" / "fastmcp")
os.execv(fastmcp, [fastmcp, "run", str(leaky), "--transport", "http", "--port", os.environ["PROXY_PORT"]])
