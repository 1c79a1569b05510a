"""Misbehaving HTTP servers for the probe-initialize tests (plain asyncio, no framework).

Prints `READY <port>` once listening on an ephemeral 127.0.0.1 port (in mode `refuse` the port
is bound but never listens, so connects are refused), and one `REQ <json>` line per request
(method, path, headers, body) so tests can check what the probe sent. With --listen-delay S it
prints `PORT <port>` at once, refuses connects for S seconds, then prints `LISTEN <unix time>`.

Modes (--mode):
  mcp            a minimal conforming MCP server (JSON answers, session id, 202, DELETE 200)
  sse_mcp        the same, answering with SSE: comments, CRLF, an interleaved notification,
                 a response to another id, event ids and the response split over two data lines
  refuse         nothing listens
  status         every POST answers --status (e.g. 400, 401, 404, 405, 415, 500)
  flaky502       the first two POSTs answer 502, then `mcp`
  retry_after    the first POST answers 503 with Retry-After: 1, then `mcp`
  status406      406 with a JSON-RPC error body (what FastMCP says without the SSE Accept)
  garbage        200 text/html page
  empty_body     200 application/json with no body
  sse_no_data    200 text/event-stream with only comments and an event without data
  slow           answers as `mcp`, but only after --delay seconds
  hang           reads the request and never answers
  mid_body       promises 400 bytes, sends 40, closes
  jsonrpc_error  initialize answered with JSON-RPC error -32602
  redirect       POST /mcp answers 307 to /mcp/, where `mcp` answers
  huge           200 application/json that never ends (streams until the client goes)
  auth           `mcp`, but 401 (echoing the header) unless Authorization is `Bearer <--token>`
  expire         `mcp`, but the first tools/list answers 404 (session gone)
  truncate_call  `mcp` with a tool `big`, but a tools/call answer is cut after --cut bytes (default
                 65536): the head announces the whole answer's Content-Length, then the connection
                 closes (prints `CUT <sent> <announced>`)
  truncate_call_eof  the same cut, without a Content-Length: the body ends where the connection does
  empty_call     `mcp` with a tool `big`, but a tools/call answer is 200 application/json, empty
"""

import argparse
import asyncio
import json
import socket
import time
import uuid

import fixture_server

args = None
counters = {"post": 0, "tools": 0}
CALL_MODES = ("truncate_call", "truncate_call_eof", "empty_call")


def say(line: str) -> None:
    print(line, flush=True)




def response(status: int, body: bytes = b"", content_type: str | None = "application/json", headers=None, reason=None):
    reasons = {200: "OK", 202: "Accepted", 307: "Temporary Redirect", 400: "Bad Request", 401: "Unauthorized",
               403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 406: "Not Acceptable",
               415: "Unsupported Media Type", 500: "Internal Server Error", 502: "Bad Gateway",
               503: "Service Unavailable", 504: "Gateway Timeout"}
    lines = [f"HTTP/1.1 {status} {reason or reasons.get(status, 'Status')}"]
    if content_type and body:
        lines.append(f"Content-Type: {content_type}")
    lines.append(f"Content-Length: {len(body)}")
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def mcp_result(message: dict, session: str):
    """(status, headers, payload) of a minimal MCP server; payload None means 202."""
    method = message.get("method")
    if "id" not in message:
        return 202, {}, None
    if method == "initialize":
        params = message.get("params") or {}
        result = {
            "protocolVersion": params.get("protocolVersion", "2025-06-18"),
            "capabilities": {"tools": {"listChanged": False}},
            "serverInfo": {"name": f"fault-{args.mode}", "version": "0.0.1"},
        }
        return 200, {"Mcp-Session-Id": session}, {"jsonrpc": "2.0", "id": message["id"], "result": result}
    if method == "tools/list":
        names = ("alpha", "beta", "big") if args.mode in CALL_MODES else ("alpha", "beta")
        tools = [{"name": n, "inputSchema": {"type": "object"}} for n in names]
        return 200, {}, {"jsonrpc": "2.0", "id": message["id"], "result": {"tools": tools}}
    return 200, {}, {"jsonrpc": "2.0", "id": message["id"], "error": {"code": -32601, "message": "Method not found"}}


def sse_body(message_id, payload: dict) -> bytes:
    text = json.dumps(payload)
    # Split where a line break is JSON whitespace, so the joined data lines stay one document.
    half = text.index(", ") + 1
    parts = [
        ": stream opened\r\n\r\n",
        "event: message\r\nid: 1\r\ndata: " + json.dumps({"jsonrpc": "2.0", "method": "notifications/message",
                                                          "params": {"level": "info", "data": "hello"}}) + "\r\n\r\n",
        "event: message\r\nid: 2\r\ndata: " + json.dumps({"jsonrpc": "2.0", "id": "someone-else", "result": {}}) + "\r\n\r\n",
        "event: ping\r\ndata: {}\r\n\r\n",
        "id: 3\r\ndata: " + text[:half] + "\r\ndata: " + text[half:] + "\r\n\r\n",
    ]
    return "".join(parts).encode()


async def read_request(reader):
    method, path, headers, body = await fixture_server.read_request(reader)
    say("REQ " + json.dumps({"method": method, "path": path, "headers": headers, "body": body.decode("utf-8", "replace")}))
    return method, path, headers, body


async def answer(method, path, headers, body, writer) -> bool:
    """Writes the answer; returns False when the connection must close."""
    mode = args.mode
    session = "sess-" + uuid.uuid4().hex
    if method == "POST":
        counters["post"] += 1
    message = {}
    if body:
        try:
            message = json.loads(body)
        except ValueError:
            message = {}

    if mode == "status" and method == "POST":
        payload = json.dumps({"detail": f"status {args.status} by design"}).encode()
        writer.write(response(args.status, payload))
        return True
    if mode == "flaky502" and method == "POST" and counters["post"] <= 2:
        writer.write(response(502, b"<html><body>502 Bad Gateway</body></html>", "text/html"))
        return True
    if mode == "retry_after" and method == "POST" and counters["post"] == 1:
        writer.write(response(503, b"starting", "text/plain", {"Retry-After": "1"}))
        return True
    if mode == "status406" and method == "POST":
        error = {"jsonrpc": "2.0", "id": "server-error", "error": {"code": -32600,
                 "message": "Not Acceptable: Client must accept both application/json and text/event-stream"}}
        writer.write(response(406, json.dumps(error).encode()))
        return True
    if mode == "garbage" and method == "POST":
        writer.write(response(200, b"<html><body>It works!</body></html>", "text/html"))
        return True
    if mode == "empty_body" and method == "POST":
        writer.write(response(200, b"", "application/json"))
        return True
    if mode == "sse_no_data" and method == "POST":
        body = b": keepalive\n\nevent: endpoint\n\n: still nothing\n\n"
        writer.write(response(200, body, "text/event-stream"))
        return True
    if mode == "hang":
        await asyncio.sleep(3600)
        return False
    if mode == "slow":
        await asyncio.sleep(args.delay)
    if mode == "mid_body" and method == "POST":
        head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n"
        writer.write(head.encode() + b'{"jsonrpc":"2.0","id":1,"result":{"prot')
        await writer.drain()
        return False
    if mode == "jsonrpc_error" and method == "POST" and message.get("method") == "initialize":
        error = {"jsonrpc": "2.0", "id": message.get("id"),
                 "error": {"code": -32602, "message": "Invalid params: clientInfo is required"}}
        writer.write(response(200, json.dumps(error).encode()))
        return True
    if mode == "redirect" and path == "/mcp":
        writer.write(response(307, b"", None, {"Location": "/mcp/"}))
        return True
    if mode == "huge" and method == "POST":
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 104857600\r\n\r\n")
        chunk = b"[" + b"0," * 32767
        sent = 0
        try:
            while sent < 104857600:
                writer.write(chunk)
                await writer.drain()
                sent += len(chunk)
        except (ConnectionError, OSError):
            pass
        say(f"HUGE_SENT {sent}")
        return False
    if mode == "auth" and headers.get("authorization") != f"Bearer {args.token}":
        # Echoes the credential it got, as careless servers do: the probe must not print it.
        echo = json.dumps({"error": "unauthorized", "got": headers.get("authorization")}).encode()
        writer.write(response(401, echo, headers={"WWW-Authenticate": "Bearer"}))
        return True
    if mode == "expire" and message.get("method") == "tools/list":
        counters["tools"] += 1
        if counters["tools"] == 1:
            writer.write(response(404, b'{"error":"session not found"}'))
            return True

    if args.mode in CALL_MODES and message.get("method") == "tools/call":
        if args.mode == "empty_call":
            writer.write(response(200, b"", "application/json"))
            return True
        text = "x" * (1024 * 1024)
        payload = json.dumps({"jsonrpc": "2.0", "id": message.get("id"),
                              "result": {"content": [{"type": "text", "text": text}]}}).encode()
        head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        head += f"Content-Length: {len(payload)}\r\n" if args.mode == "truncate_call" else "Connection: close\r\n"
        writer.write((head + "\r\n").encode() + payload[:args.cut])
        await writer.drain()
        say(f"CUT {min(args.cut, len(payload))} {len(payload)}")
        return False

    if method == "DELETE":
        writer.write(response(200))
        return True
    if method != "POST":
        writer.write(response(405, b"", None, {"Allow": "POST, DELETE"}))
        return True
    status, extra, payload = mcp_result(message, session)
    if payload is None:
        writer.write(response(202, b"", None, extra))
    elif mode == "sse_mcp":
        writer.write(response(status, sse_body(message.get("id"), payload), "text/event-stream", extra))
    else:
        writer.write(response(status, json.dumps(payload).encode(), "application/json", extra))
    return True


async def handle(reader, writer):
    try:
        while True:
            try:
                method, path, headers, body = await read_request(reader)
            except (asyncio.IncompleteReadError, ConnectionError):
                break
            keep = await answer(method, path, headers, body, writer)
            await writer.drain()
            if not keep:
                break
    except (ConnectionError, OSError):
        pass
    finally:
        try:
            writer.close()
        except Exception:
            pass


async def main():
    global args
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", required=True)
    parser.add_argument("--status", type=int, default=500)
    parser.add_argument("--delay", type=float, default=3.0)
    parser.add_argument("--token", default="")
    parser.add_argument("--listen-delay", type=float, default=0.0)
    parser.add_argument("--cut", type=int, default=65536)
    args = parser.parse_args()

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    if args.mode == "refuse":
        say(f"READY {port}")
        await asyncio.Event().wait()
    if args.listen_delay > 0:
        # Bound but not listening: connects are refused until the delay is over.
        say(f"PORT {port}")
        await asyncio.sleep(args.listen_delay)
    server = await asyncio.start_server(handle, sock=sock)
    say(f"LISTEN {time.time():.6f}")
    say(f"READY {port}")
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    fixture_server.serve(main)
