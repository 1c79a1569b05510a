"""Misbehaving stdio MCP servers for the probe-initialize tests (standard library only).

Modes (--mode):
  exit          writes a few lines to stderr (the last one names $FIXTURE_API_KEY's value, which
                the probe must redact) and exits with status 3 before reading anything
  hang          reads its stdin and never answers
  garbage       answers every line it reads with lines that are not JSON-RPC
  rpc_error     answers initialize with JSON-RPC error -32602
  ignore_term   like hang, but ignores SIGTERM (only SIGKILL stops it)
  banner        prints a non-JSON banner line on stdout, then behaves as a minimal MCP server
                with the tools given by --tools (comma-separated; $FIXTURE_TOOLS wins when set);
                sends a ping request first and says on stderr whether the client answered it
  cut_call      a minimal MCP server with a tool `big`, whose tools/call answer is cut after
                65536 bytes (no newline) when the server exits
"""

import argparse
import json
import os
import signal
import sys
import time


def out(obj) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", required=True)
    parser.add_argument("--tools", default="alpha,beta")
    args = parser.parse_args()

    if args.mode == "exit":
        sys.stderr.write("starting fixture server\n")
        sys.stderr.write("fatal: cannot open the database /nonexistent/db.sqlite\n")
        sys.stderr.write("api key was " + os.environ.get("FIXTURE_API_KEY", "(unset)") + "\n")
        sys.stderr.flush()
        sys.exit(3)

    if args.mode == "ignore_term":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)

    if args.mode in ("hang", "ignore_term"):
        sys.stderr.write("hanging on purpose\n")
        sys.stderr.flush()
        for _ in sys.stdin:
            pass
        # stdin closed: keep hanging until a signal ends it.
        while True:
            time.sleep(3600)

    if args.mode == "garbage":
        for line in sys.stdin:
            sys.stdout.write("this is not json\n<html>nor this</html>\n")
            sys.stdout.flush()
        return

    if args.mode == "banner":
        sys.stdout.write("Fixture server v1 starting (a banner on stdout)\n")
        sys.stdout.flush()
        out({"jsonrpc": "2.0", "id": "srv-1", "method": "ping"})

    for line in sys.stdin:
        try:
            msg = json.loads(line)
        except ValueError:
            continue
        if msg.get("id") == "srv-1" and "result" in msg:
            sys.stderr.write("PING_ANSWERED\n")
            sys.stderr.flush()
        if "id" not in msg or "method" not in msg:
            continue
        method = msg["method"]
        if args.mode == "rpc_error" and method == "initialize":
            out({"jsonrpc": "2.0", "id": msg["id"], "error": {"code": -32602, "message": "Unsupported protocol version"}})
        elif method == "initialize":
            out({"jsonrpc": "2.0", "id": msg["id"], "result": {
                "protocolVersion": msg["params"]["protocolVersion"], "capabilities": {"tools": {}},
                "serverInfo": {"name": "fixture-stdio", "version": "1.2.3"}}})
        elif method == "tools/call" and args.mode == "cut_call":
            line = json.dumps({"jsonrpc": "2.0", "id": msg["id"],
                               "result": {"content": [{"type": "text", "text": "x" * 1048576}]}})
            sys.stdout.write(line[:65536])
            sys.stdout.flush()
            sys.exit(0)
        elif method == "tools/list":
            names = os.environ.get("FIXTURE_TOOLS") or (args.tools + ",big" if args.mode == "cut_call" else args.tools)
            tools = [{"name": t, "inputSchema": {"type": "object"}} for t in names.split(",") if t]
            out({"jsonrpc": "2.0", "id": msg["id"], "result": {"tools": tools}})
        else:
            out({"jsonrpc": "2.0", "id": msg["id"], "error": {"code": -32601, "message": "Method not found"}})


if __name__ == "__main__":
    main()
