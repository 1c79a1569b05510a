"""A handshake-era MCP server for the load-mode tests that stalls on purpose and counts what it
saw (plain asyncio, no framework). Prints `READY <port>` once listening on 127.0.0.1.

  --stall-every N --stall S   every N-th tools/list (counted over all connections) is answered
                              only after S seconds
  --hang-lists                no tools/list is ever answered

A stalled or hung request waits on its connection, so a client that gives up and closes it ends
the wait at once (it is counted as `abandoned`). Everything else answers at once: initialize
(with a session id), notifications (202), tools/list, DELETE (200); server/discover is an
unknown method (-32601), so a client's `auto` falls back to the handshake.

GET /stats?idle=S answers, as JSON, the counts so far: `lists` (tools/list requests read),
`stalled`, `abandoned`, `sessions` (initialize), `deleted`, `open` (connections open besides the
stats one) and `max_open`. With idle=S it first waits, at most S seconds, until `open` is 0: a
test asks it after a run to see that the client left no connection behind.
"""

import argparse
import asyncio
import json
import socket
import uuid

import fixture_server
from urllib.parse import parse_qs, urlsplit

args = None
stats = {"lists": 0, "stalled": 0, "abandoned": 0, "sessions": 0, "deleted": 0, "open": 0, "max_open": 0}
closed = None  # asyncio.Event, set whenever a connection closes




def response(status: int, payload=None, headers=None) -> bytes:
    body = json.dumps(payload).encode() if payload is not None else b""
    reason = {200: "OK", 202: "Accepted", 404: "Not Found", 405: "Method Not Allowed"}.get(status, "Status")
    lines = [f"HTTP/1.1 {status} {reason}", f"Content-Length: {len(body)}"]
    if body:
        lines.append("Content-Type: application/json")
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def wait_for_close(reader, seconds):
    """True when the client closed the connection within `seconds` (None: no limit)."""
    try:
        data = await asyncio.wait_for(reader.read(1), timeout=seconds)
    except asyncio.TimeoutError:
        return False
    except (ConnectionError, OSError):
        return True
    return data == b""


async def stats_answer(target) -> bytes:
    query = parse_qs(urlsplit(target).query)
    idle = float(query.get("idle", ["0"])[0])
    loop = asyncio.get_running_loop()
    deadline = loop.time() + idle
    # The stats connection itself is open: it does not count.
    while stats["open"] > 1 and loop.time() < deadline:
        closed.clear()
        try:
            await asyncio.wait_for(closed.wait(), timeout=deadline - loop.time())
        except asyncio.TimeoutError:
            break
    return response(200, dict(stats, open=stats["open"] - 1))


async def answer(method, target, body, reader):
    """The bytes to send, or None when the client closed the connection meanwhile."""
    if method == "GET" and urlsplit(target).path == "/stats":
        return await stats_answer(target)
    if method == "DELETE":
        stats["deleted"] += 1
        return response(200)
    if method != "POST":
        return response(405, headers={"Allow": "POST, DELETE"})
    message = json.loads(body) if body else {}
    rpc = message.get("method")
    if "id" not in message:
        return response(202)
    if rpc == "initialize":
        stats["sessions"] += 1
        params = message.get("params") or {}
        result = {"protocolVersion": params.get("protocolVersion", "2025-06-18"),
                  "capabilities": {"tools": {"listChanged": False}},
                  "serverInfo": {"name": "load-fixture", "version": "0.0.1"}}
        return response(200, {"jsonrpc": "2.0", "id": message["id"], "result": result},
                        {"Mcp-Session-Id": "sess-" + uuid.uuid4().hex})
    if rpc == "tools/list":
        stats["lists"] += 1
        stall = None
        if args.hang_lists:
            stall = None
        elif args.stall_every and stats["lists"] % args.stall_every == 0:
            stall = args.stall
        else:
            stall = 0
        if stall is None or stall > 0:
            stats["stalled"] += 1
            if await wait_for_close(reader, stall):
                stats["abandoned"] += 1
                return None
        tools = [{"name": "alpha", "inputSchema": {"type": "object"}}]
        return response(200, {"jsonrpc": "2.0", "id": message["id"], "result": {"tools": tools}})
    return response(200, {"jsonrpc": "2.0", "id": message["id"],
                          "error": {"code": -32601, "message": f"Method not found: {rpc}"}})


async def handle(reader, writer):
    stats["open"] += 1
    stats["max_open"] = max(stats["max_open"], stats["open"])
    try:
        while True:
            try:
                method, target, _, body = await fixture_server.read_request(reader)
            except (asyncio.IncompleteReadError, ConnectionError, OSError, ValueError):
                break
            data = await answer(method, target, body, reader)
            if data is None:
                break
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        stats["open"] -= 1
        closed.set()
        try:
            writer.close()
        except Exception:
            pass


async def main():
    global args, closed
    parser = argparse.ArgumentParser()
    parser.add_argument("--stall-every", type=int, default=0)
    parser.add_argument("--stall", type=float, default=0.0)
    parser.add_argument("--hang-lists", action="store_true")
    args = parser.parse_args()
    closed = asyncio.Event()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    server = await asyncio.start_server(handle, sock=sock, backlog=256)
    print(f"READY {sock.getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    fixture_server.serve(main)
