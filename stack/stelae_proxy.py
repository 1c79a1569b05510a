"""A Stelae-compatible MCP proxy that runs offline: it serves a rendered proxy.json the way Stelae's
Go proxy (Dub1n/mcp-proxy, TBXark style) does; that proxy cannot be built on this machine.

  .venv/bin/python stack/stelae_proxy.py --config PROXY_JSON [--port P] [--host 127.0.0.1]
                                         [--start-timeout 20]

Every server of `mcpServers` is started (stdio: its command and args, its `env` merged over this
process's environment; http/streamable-http: connected to as a client), initialized and listed.
All their tools are published under their own names on ONE streamable-HTTP endpoint, /mcp, after
the runtime tool overrides (`manifest.toolOverridesPath`) are applied. `fastmcp run proxy.json`
is not used because it prefixes every tool with its server's name and drops each server's `env`.

The port is --port, else $PROXY_PORT, else the port of `mcpProxy.addr`. The socket is bound before
any server starts (a port collision fails at once, with nothing to clean up) and listens once every
server has answered or failed, so the first tools/list a client gets is already complete.
A server that fails (command not found, exits, no answer within --start-timeout) is logged with its
reason and last stderr lines; the others are served. SIGTERM/SIGINT stop everything, exit 0.

stderr: `stelae-proxy: ...` lines of this proxy (one `server=<name> ...` line per server at start,
one `call ...` line per tool call, one `client=<name> era=<modern|legacy> protocol_version=<v>` line
per distinct triple a client spoke) and `[<server>] ...` lines relayed from stdio servers' stderr.
Exit status: 0 after a signal, 1 if the port cannot be bound, 2 for an unusable config.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import socket
import sys
import time
from collections import deque
from contextlib import AsyncExitStack, asynccontextmanager, nullcontext
from pathlib import Path
from typing import Any

import anyio
import anyio.abc
import httpx2
import mcp_types as types
import uvicorn
from mcp.client.session import ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.server.lowlevel.server import Server
from mcp.shared.exceptions import MCPError
from mcp.shared.message import SessionMessage

CLIENT_INFO = types.Implementation(name="stelae-proxy", version="1.0.0")
# After SIGTERM a server's group gets this long before SIGKILL, so a whole stop stays well under 2 s.
KILL_GRACE = 0.5
STDERR_TAIL = 5


def log(message: str) -> None:
    print(f"stelae-proxy: {message}", file=sys.stderr, flush=True)


def obj(value: Any) -> dict[str, Any]:
    """Hand-edited JSON may put anything anywhere; a non-object counts as empty."""
    return value if isinstance(value, dict) else {}


def status_text(status: int) -> str:
    return f"status {status}" if status >= 0 else f"signal {-status}"


class ConfigError(Exception):
    pass


class StartFailure(Exception):
    pass


# --- configuration ---------------------------------------------------------------------------------


def load_json(path: str, what: str) -> dict[str, Any]:
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{what} {path} does not exist") from None
    except (OSError, ValueError) as error:
        raise ConfigError(f"{what} {path} is not readable JSON: {error}") from None
    if not isinstance(document, dict):
        raise ConfigError(f"{what} {path} is not a JSON object")
    return document


def choose_port(flag: int | None, config: dict[str, Any]) -> int:
    text, source = (str(flag), "--port") if flag is not None else (os.environ.get("PROXY_PORT"), "PROXY_PORT")
    if not text:
        addr = str(obj(config.get("mcpProxy")).get("addr") or "")
        text, source = addr.rpartition(":")[2], f"mcpProxy.addr {addr!r}"
    if not text.isdigit() or int(text) > 65535:
        raise ConfigError(f"no usable port: {source} gives {text!r} (pass --port or set PROXY_PORT)")
    return int(text)


def load_overrides(config: dict[str, Any]) -> dict[str, Any]:
    """The runtime tool_overrides.json. A missing file publishes everything, as Stelae's proxy does;
    an unreadable one stops the start, since it would publish tools the file means to hide."""
    path = obj(config.get("manifest")).get("toolOverridesPath")
    if not path:
        return {}
    if not Path(path).exists():
        log(f"tool overrides {path} do not exist: every tool is published")
        return {}
    return load_json(path, "tool overrides")


# --- downstream servers ----------------------------------------------------------------------------


class Downstream:
    def __init__(self, name: str, spec: dict[str, Any]):
        self.name = name
        self.spec = spec
        self.transport = spec.get("type") or ("stdio" if "command" in spec else "streamable-http")
        self.session: ClientSession | None = None
        self.tools: list[dict[str, Any]] = []
        self.failure: str | None = None
        self.process: anyio.abc.Process | None = None
        self.exit_status: int | None = None  # set only when the server exited by itself
        self.stopping = False
        self.stderr_tail: deque[str] = deque(maxlen=STDERR_TAIL)
        self.settled = anyio.Event()
        # Created up front so a start timeout can cancel it whether or not the task entered it yet.
        self.scope = anyio.CancelScope()

    def fail(self, reason: str) -> None:
        if self.failure is None and self.session is None:
            self.failure = reason
        self.settled.set()


def signal_group(pgid: int, signum: int) -> None:
    try:
        os.killpg(pgid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def group_alive(pgid: int) -> bool:
    """Whether a live (non-zombie) process is left in the group. killpg(pgid, 0) would also count
    zombies, and an orphaned helper's zombie may wait a long time for PID 1 to reap it."""
    try:
        entries = [entry for entry in os.listdir("/proc") if entry.isdigit()]
    except OSError:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        return True
    for entry in entries:
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                fields = handle.read().rpartition(b")")[2].split()
        except OSError:
            continue
        if fields[2] == str(pgid).encode() and fields[0] != b"Z":
            return True
    return False


async def stop_group(pgid: int) -> None:
    """SIGTERM the server's process group (its helpers too), SIGKILL what is left after KILL_GRACE."""
    signal_group(pgid, signal.SIGTERM)
    for signum in (signal.SIGKILL, None):
        deadline = anyio.current_time() + KILL_GRACE
        while group_alive(pgid) and anyio.current_time() < deadline:
            await anyio.sleep(0.01)
        if signum is None or not group_alive(pgid):
            return
        signal_group(pgid, signum)


def split_lines(buffer: bytes, chunk: bytes) -> tuple[list[bytes], bytes]:
    *lines, rest = (buffer + chunk).split(b"\n")
    return lines, rest


@asynccontextmanager
async def stdio_transport(ds: Downstream):
    """Like mcp's stdio_client, but with the whole environment passed (stdio_client keeps only a
    few variables), stderr relayed line by line under the server's name, and the child's pid known,
    so a stop can signal its process group at once instead of first waiting for it to see EOF."""
    command = ds.spec.get("command")
    if not isinstance(command, str) or not command:
        raise StartFailure("no 'command' in its proxy.json entry")
    env = {**os.environ, **{str(k): str(v) for k, v in obj(ds.spec.get("env")).items()}}
    try:
        # Its own session, hence its own process group, which a stop can kill as a whole.
        process = await anyio.open_process([command, *map(str, ds.spec.get("args") or [])],
                                           env=env, start_new_session=True)
    except FileNotFoundError:
        raise StartFailure(f"command not found: {command}") from None
    except OSError as error:
        raise StartFailure(f"cannot run {command}: {error.strerror or error}") from None
    ds.process = process
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
                start_timeout: float) -> int:
    downstreams = [Downstream(str(name), obj(spec)) for name, spec in sorted(obj(config.get("mcpServers")).items())]
    web: Uvicorn | None = None
    stopped_by_signal = False

    # The handlers stay installed until every server is stopped (a second signal must not kill
    # the proxy half way), and are in place before any server starts.
    with anyio.open_signal_receiver(signal.SIGTERM, signal.SIGINT) as signals:
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
                if obj(ds.spec.get("options")).get("disabled") is True:
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


def main() -> int:
    # A parent may start us with SIGTERM/SIGINT blocked (the mask survives exec); stops must reach us.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    parser = argparse.ArgumentParser(description="Serve a Stelae proxy.json on one streamable-HTTP /mcp endpoint.")
    parser.add_argument("--config", required=True, help="the rendered proxy.json")
    parser.add_argument("--port", type=int, help="default: $PROXY_PORT, else the port of mcpProxy.addr")
    parser.add_argument("--host", default="127.0.0.1", help="listen address (default 127.0.0.1)")
    parser.add_argument("--start-timeout", type=float, default=20.0,
                        help="seconds each server gets to answer initialize and tools/list (default 20)")
    args = parser.parse_args()
    try:
        config = load_json(args.config, "proxy config")
        port = choose_port(args.port, config)
        overrides = load_overrides(config)
    except ConfigError as error:
        log(f"cannot start: {error}")
        return 2
    # Bound now (a taken port fails before any server starts), listening only once all have settled.
    sock = socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((args.host, port))
    except OSError as error:
        log(f"cannot start: cannot listen on {args.host}:{port}: {error.strerror or error}")
        return 1
    return anyio.run(serve, config, overrides, sock, args.host, args.start_timeout)


if __name__ == "__main__":
    status = main()
    # Every server and the web front have stopped by now. The interpreter's own teardown (freeing
    # what the imports built) took 180 ms of each 400 ms stop; nothing of ours is left for it.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
