"""The MCP side of stack/stelae_proxy.py: a session with each downstream server, the published
listing after the tool overrides, and the streamable-HTTP front on /mcp."""

from __future__ import annotations

import json
import logging
import signal
import socket
import sys
import time
from collections import deque
from contextlib import AsyncExitStack, asynccontextmanager, nullcontext
from typing import Any

import anyio
import httpx2
import mcp_types as types
import uvicorn
from mcp.client.session import ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.server.lowlevel.server import Server
from mcp.shared.exceptions import MCPError
from mcp.shared.message import SessionMessage

from proxy_start import KILL_GRACE, Downstream, StartFailure, log, obj, signal_group, status_text, stop_group

CLIENT_INFO = types.Implementation(name="stelae-proxy", version="1.0.0")


def split_lines(buffer: bytes, chunk: bytes) -> tuple[list[bytes], bytes]:
    *lines, rest = (buffer + chunk).split(b"\n")
    return lines, rest


@asynccontextmanager
async def stdio_transport(ds: Downstream):
    """Like mcp's stdio_client, over the process `spawn` started: stderr relayed line by line under
    the server's name, and the child's pid known, so a stop can signal its process group at once
    instead of first waiting for it to see EOF."""
    if ds.spawn_error is not None:
        raise ds.spawn_error
    process = ds.process
    if process is None:
        raise StartFailure("its process was not started")
    read_writer, read_stream = anyio.create_memory_object_stream[SessionMessage | Exception](0)
    write_stream, write_reader = anyio.create_memory_object_stream[SessionMessage](0)

    async def relay_stdout() -> None:
        async with read_writer:
            buffer = b""
            async for chunk in process.stdout:
                lines, buffer = split_lines(buffer, chunk)
                for line in filter(bytes.strip, lines):
                    try:
                        message = types.jsonrpc_message_adapter.validate_json(line, by_name=False)
                    except ValueError:
                        log(f"server={ds.name} wrote a non-JSON-RPC line on stdout: {line[:200]!r}")
                        continue
                    await read_writer.send(SessionMessage(message))
            # Known before the session sees the closure, so a start failure can name the status.
            with anyio.move_on_after(1):
                ds.exit_status = await process.wait()
            if ds.session is not None and not ds.stopping:
                how = "closed its stdout" if ds.exit_status is None else f"exited with {status_text(ds.exit_status)}"
                log(f"server={ds.name} {how} while serving: its tools now fail")

    async def relay_stdin() -> None:
        async with write_reader:
            async for message in write_reader:
                line = message.message.model_dump_json(by_alias=True, exclude_unset=True) + "\n"
                await process.stdin.send(line.encode())

    async def relay_stderr() -> None:
        buffer = b""
        async for chunk in process.stderr:
            lines, buffer = split_lines(buffer, chunk)
            for line in lines:
                text = line.decode(errors="replace").rstrip()
                ds.stderr_tail.append(text)
                print(f"[{ds.name}] {text}", file=sys.stderr, flush=True)

    async def guarded(relay) -> None:
        try:
            await relay()
        except (anyio.BrokenResourceError, anyio.ClosedResourceError, OSError):
            pass  # the server or the session went away; the session tells its caller

    try:
        async with anyio.create_task_group() as tg:
            for relay in (relay_stdout, relay_stdin, relay_stderr):
                tg.start_soon(guarded, relay)
            try:
                yield read_stream, write_stream
            finally:
                ds.stopping = True
                with anyio.CancelScope(shield=True):
                    await stop_group(process.pid)
                tg.cancel_scope.cancel()
    finally:
        ds.process = None
        with anyio.move_on_after(KILL_GRACE, shield=True):
            await process.aclose()


async def list_all_tools(session: ClientSession) -> list[dict[str, Any]]:
    tools: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = await session.list_tools(params=types.PaginatedRequestParams(cursor=cursor) if cursor else None)
        tools += [t.model_dump(by_alias=True, exclude_none=True, mode="json") for t in page.tools]
        cursor = page.next_cursor
        if not cursor:
            return tools


def reason_of(ds: Downstream, error: BaseException) -> str:
    while isinstance(error, BaseExceptionGroup) and error.exceptions:  # task groups wrap errors
        error = error.exceptions[0]
    if isinstance(error, StartFailure):
        return str(error)
    if ds.exit_status is not None:
        return f"exited with {status_text(ds.exit_status)} during start"
    return f"{type(error).__name__}: {error}".rstrip(": ")


async def run_downstream(ds: Downstream) -> None:
    with ds.scope:
        try:
            async with AsyncExitStack() as stack:
                if ds.transport == "stdio":
                    streams = await stack.enter_async_context(stdio_transport(ds))
                elif ds.transport in ("http", "streamable-http"):
                    url = ds.spec.get("url")
                    if not isinstance(url, str) or not url:
                        raise StartFailure("no 'url' in its proxy.json entry")
                    headers = {str(k): str(v) for k, v in obj(ds.spec.get("headers")).items()}
                    http = await stack.enter_async_context(
                        httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30, read=300)))
                    streams = await stack.enter_async_context(streamable_http_client(url, http_client=http))
                else:
                    raise StartFailure(f"transport {ds.transport!r} is not supported (stdio, http, streamable-http)")
                session = await stack.enter_async_context(ClientSession(*streams, client_info=CLIENT_INFO))
                await session.initialize()
                ds.tools = await list_all_tools(session)
                ds.session = session
                ds.settled.set()
                await anyio.sleep_forever()
        except Exception as error:
            if ds.session is None:
                ds.fail(reason_of(ds, error))
            elif not ds.stopping:
                log(f"server={ds.name} connection lost: {reason_of(ds, error)}")
        finally:
            ds.settled.set()


# --- publishing ------------------------------------------------------------------------------------


def publish(downstreams: list[Downstream], overrides: dict[str, Any]):
    """Stelae's proxy filters on the runtime overrides only: a tool they do not mention is published.
    Returns the routes (published name -> server, original name), the listing and a note per server."""
    master = obj(obj(obj(overrides.get("master")).get("tools")).get("*"))
    routes: dict[str, tuple[Downstream, str]] = {}
    listing: list[types.Tool] = []
    notes: dict[str, str] = {}
    for ds in sorted(downstreams, key=lambda d: d.name):  # the first server in name order wins a name
        if ds.session is None:
            continue
        server = obj(obj(overrides.get("servers")).get(ds.name))
        configured = obj(server.get("tools"))
        if server.get("enabled", True) is False:
            notes[ds.name] = f"tools=0/{len(ds.tools)} (server disabled by the tool overrides)"
            continue
        count = 0
        for tool in ds.tools:
            override = obj(configured.get(tool["name"]))
            if override.get("enabled", True) is False:
                continue
            entry = dict(tool)
            for key in ("description", "inputSchema", "outputSchema"):
                if override.get(key) is not None:
                    entry[key] = override[key]
            if master.get("annotations") or override.get("annotations"):
                entry["annotations"] = {**obj(tool.get("annotations")), **obj(master.get("annotations")),
                                        **obj(override.get("annotations"))}
            entry["name"] = override.get("name") or tool["name"]
            if entry["name"] in routes:
                log(f"server={ds.name} tool={tool['name']} not published: the name {entry['name']!r} "
                    f"is already published by server={routes[entry['name']][0].name}")
                continue
            try:
                listing.append(types.Tool.model_validate(entry))
            except ValueError as error:
                log(f"server={ds.name} tool={tool['name']} not published: invalid after the tool overrides: {error}")
                continue
            routes[entry["name"]] = (ds, tool["name"])
            count += 1
        unknown = sorted(set(configured) - {t["name"] for t in ds.tools})
        notes[ds.name] = f"tools={count}/{len(ds.tools)}" + (
            f" (the tool overrides name tools it does not offer: {', '.join(unknown)})" if unknown else "")
    return routes, listing, notes


def build_front(config: dict[str, Any], routes: dict[str, tuple[Downstream, str]], listing: list[types.Tool]):
    async def list_tools(_ctx, _params) -> types.ListToolsResult:
        return types.ListToolsResult(tools=listing)

    async def call_tool(_ctx, params: types.CallToolRequestParams) -> types.CallToolResult:
        route = routes.get(params.name)
        if route is None:
            log(f"call tool={params.name} -> unknown tool")
            raise MCPError(code=types.INVALID_PARAMS, message=f"Unknown tool: {params.name}")
        ds, original = route
        if ds.exit_status is not None:
            log(f"call tool={params.name} server={ds.name} -> server exited")
            raise MCPError(code=types.INTERNAL_ERROR, message=f"server {ds.name} exited with "
                           f"{status_text(ds.exit_status)}; {params.name} is unavailable")
        began = time.monotonic()
        outcome = "error"
        try:
            # send_request, not session.call_tool: call_tool checks structuredContent against the
            # listed outputSchema and would turn the server's own answer into a proxy error.
            result = await ds.session.send_request(
                types.CallToolRequest(params=types.CallToolRequestParams(name=original, arguments=params.arguments)),
                types.CallToolResult)
            outcome = "isError" if result.is_error else "ok"
            return result
        finally:
            renamed = f" (as {original})" if original != params.name else ""
            log(f"call tool={params.name} server={ds.name}{renamed} -> {outcome} "
                f"in {(time.monotonic() - began) * 1000:.0f} ms")

    proxy = obj(config.get("mcpProxy"))
    return Server(str(proxy.get("name") or "stelae"), version=str(proxy.get("version") or "1.0.0"),
                  on_list_tools=list_tools, on_call_tool=call_tool)


MODERN_VERSION_KEY = "io.modelcontextprotocol/protocolVersion"
MODERN_CLIENT_KEY = "io.modelcontextprotocol/clientInfo"


class ClientEraLog:
    """ASGI wrapper: logs, once per distinct (era, protocol version, client name), the era and
    version each client request on /mcp was spoken in, read from the request itself:

    - `initialize`: legacy, the `protocolVersion` it offers, `clientInfo.name` (remembered for the
      session id the answer issues);
    - a request whose `params._meta` carries `io.modelcontextprotocol/protocolVersion`: modern, that
      version, `_meta["io.modelcontextprotocol/clientInfo"].name`;
    - any other JSON-RPC POST: legacy, its `MCP-Protocol-Version` header (`none` without one), the
      name its `Mcp-Session-Id` was initialized with (`unknown` when not seen).

    The body is read whole (POST bodies of MCP requests are small; one over MAX_BODY is passed on
    unread) and replayed to the app unchanged."""

    MAX_BODY = 1 << 20
    MAX_SESSIONS = 1024

    def __init__(self, app):
        self.app = app
        self.seen: set[tuple[str, str, str]] = set()
        self.sessions: dict[str, str] = {}

    async def __call__(self, scope, receive, send):
        if scope.get("type") != "http" or scope.get("method") != "POST":
            await self.app(scope, receive, send)
            return
        messages: list[dict[str, Any]] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message.get("type") != "http.request":
                break
            size += len(message.get("body", b""))
            if not message.get("more_body", False) or size > self.MAX_BODY:
                break
        pending = deque(messages)

        async def replay():
            return pending.popleft() if pending else await receive()

        names: list[str] = []
        if size <= self.MAX_BODY and messages and messages[-1].get("type") == "http.request":
            body = b"".join(m.get("body", b"") for m in messages)
            try:
                names = self.note(scope, json.loads(body))
            except Exception:  # not JSON-RPC: the app answers it; nothing to log
                names = []

        async def send_noting(message):
            if names and message.get("type") == "http.response.start":
                for key, value in message.get("headers", []):
                    if key.lower() == b"mcp-session-id":
                        if len(self.sessions) >= self.MAX_SESSIONS:
                            self.sessions.pop(next(iter(self.sessions)))
                        self.sessions[value.decode("latin-1")] = names[0]
            await send(message)

        await self.app(scope, replay, send_noting)

    def note(self, scope, payload: Any) -> list[str]:
        """Logs what the request(s) spoke; returns the client names of `initialize` requests."""
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        initialized: list[str] = []
        for message in payload if isinstance(payload, list) else [payload]:
            if not isinstance(message, dict) or not isinstance(message.get("method"), str):
                continue
            params = obj(message.get("params"))
            meta = obj(params.get("_meta"))
            if message["method"] == "initialize":
                client = str(obj(params.get("clientInfo")).get("name") or "unknown")
                era, version = "legacy", str(params.get("protocolVersion") or "none")
                initialized.append(client)
            elif MODERN_VERSION_KEY in meta:
                client = str(obj(meta.get(MODERN_CLIENT_KEY)).get("name") or "unknown")
                era, version = "modern", str(meta[MODERN_VERSION_KEY])
            else:
                client = self.sessions.get(headers.get("mcp-session-id", ""), "unknown")
                era, version = "legacy", headers.get("mcp-protocol-version", "none")
            key = (era, version, client)
            if key not in self.seen:
                self.seen.add(key)
                log(f"client={client} era={era} protocol_version={version}")
        return initialized


class Uvicorn(uvicorn.Server):
    # uvicorn re-raises a caught SIGTERM after its shutdown (exit 143); the signals are ours.
    def capture_signals(self):
        return nullcontext()

    # uvicorn looks at should_exit on a 0.1 s tick and then waits a fixed 0.1 s for open
    # connections to close: 100-200 ms of every stop. A stop wakes the loop at once, and the wait
    # is left out when no connection or request is open.
    async def main_loop(self) -> None:
        self.exit_requested = anyio.Event()
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + 1) % 864000
            with anyio.move_on_after(0.1):
                await self.exit_requested.wait()

    def request_exit(self) -> None:
        self.should_exit = True
        if hasattr(self, "exit_requested"):
            self.exit_requested.set()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        if self.server_state.connections or self.server_state.tasks:
            return await super().shutdown(sockets)
        for server in self.servers:
            server.close()
        await self.lifespan.shutdown()


async def serve(config: dict[str, Any], overrides: dict[str, Any], sock: socket.socket, host: str,
                start_timeout: float, downstreams: list[Downstream], signals) -> int:
    """Serves until SIGTERM/SIGINT arrive on `signals`, a receiver opened before any server started,
    so a signal that came while this module was imported is handled here."""
    web: Uvicorn | None = None
    stopped_by_signal = False

    async with anyio.create_task_group() as tg:
        async def watch_signals() -> None:
            nonlocal stopped_by_signal
            async for signum in signals:
                if stopped_by_signal:
                    continue
                stopped_by_signal = True
                log(f"{signal.Signals(signum).name} received: stopping")
                # Every group is told at once; each transport then waits for its own.
                for ds in downstreams:
                    ds.stopping = True
                    if ds.process is not None:
                        signal_group(ds.process.pid, signal.SIGTERM)
                if web is not None:
                    # A client's open GET stream never ends by itself: uvicorn cancels it after
                    # its graceful timeout and would log each one as an ASGI application error.
                    logging.getLogger("uvicorn.error").setLevel(logging.CRITICAL)
                    web.request_exit()
                    await anyio.sleep(1)  # uvicorn's own bounded shutdown normally ends first
                tg.cancel_scope.cancel()

        tg.start_soon(watch_signals)
        for ds in downstreams:
            if ds.disabled:
                ds.fail("disabled in proxy.json (options.disabled)")
            else:
                tg.start_soon(run_downstream, ds)
        with anyio.move_on_after(start_timeout):
            for ds in downstreams:
                await ds.settled.wait()
        for ds in downstreams:
            if not ds.settled.is_set():
                ds.fail(f"no answer within the start timeout ({start_timeout:g} s)")
                ds.scope.cancel()

        routes, listing, notes = publish(downstreams, overrides)
        for ds in downstreams:
            if ds.session is not None:
                log(f"server={ds.name} transport={ds.transport} status=ready {notes[ds.name]}")
            else:
                tail = " | ".join(line for line in ds.stderr_tail if line.strip())
                log(f"server={ds.name} transport={ds.transport} status=failed reason={json.dumps(ds.failure)}"
                    + (f" stderr={json.dumps(tail)}" if tail else ""))
        port = sock.getsockname()[1]
        ready = sum(ds.session is not None for ds in downstreams)
        try:
            sock.listen(128)
        except OSError as error:  # another socket bound to the port started listening first
            log(f"cannot listen on {host}:{port}: {error.strerror or error}")
            tg.cancel_scope.cancel()
            return 1
        where = f"[{host}]" if ":" in host else host
        log(f"serving {len(listing)} tool(s) from {ready} of {len(downstreams)} server(s) "
            f"on http://{where}:{port}/mcp")
        app = ClientEraLog(build_front(config, routes, listing).streamable_http_app(host=host))
        web = Uvicorn(uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=0.5))
        await web.serve(sockets=[sock])
        tg.cancel_scope.cancel()
    log("stopped")
    return 0 if stopped_by_signal else 1


