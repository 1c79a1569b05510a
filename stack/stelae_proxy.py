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

The stdio servers are started before this proxy imports its MCP side (stack/proxy_serve.py, about
a second of imports), so each server imports its own meanwhile: ready 0.25-0.4 s sooner on two cores.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import sys
from typing import Any

import anyio

from proxy_start import ConfigError, Downstream, choose_port, load_json, load_overrides, log, obj, spawn, stop_group


async def start(config: dict[str, Any], overrides: dict[str, Any], sock: socket.socket, host: str,
                start_timeout: float) -> int:
    # The signal handlers are in place before any server starts and stay until every server is
    # stopped (a second signal must not kill the proxy half way).
    with anyio.open_signal_receiver(signal.SIGTERM, signal.SIGINT) as signals:
        downstreams = [Downstream(str(name), obj(spec)) for name, spec in sorted(obj(config.get("mcpServers")).items())]
        try:
            for ds in downstreams:
                if ds.transport == "stdio" and not ds.disabled:
                    await spawn(ds)
            import proxy_serve  # the MCP side: the servers import theirs meanwhile

            return await proxy_serve.serve(config, overrides, sock, host, start_timeout, downstreams, signals)
        finally:
            # Servers whose transport never ran (the MCP side failed to import): stopped here.
            with anyio.CancelScope(shield=True):
                for ds in downstreams:
                    if ds.process is not None:
                        await stop_group(ds.process.pid)
                        await ds.process.aclose()


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
    return anyio.run(start, config, overrides, sock, args.host, args.start_timeout)


if __name__ == "__main__":
    status = main()
    # Every server and the web front have stopped by now. The interpreter's own teardown (freeing
    # what the imports built) took 180 ms of each 400 ms stop; nothing of ours is left for it.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
