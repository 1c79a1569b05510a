"""The light half of stack/stelae_proxy.py: configuration, the downstream servers' processes and
their stop. It imports nothing of MCP, so the proxy can start its stdio servers before it spends
about a second importing its MCP side (stack/proxy_serve.py); the servers import theirs meanwhile."""

from __future__ import annotations

import json
import os
import signal
import sys
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio
import anyio.abc

if TYPE_CHECKING:
    from mcp.client.session import ClientSession

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
        # Why the process could not be started (command missing, not executable): the start fails
        # with it once the MCP side runs, the way any other start failure does.
        self.spawn_error: StartFailure | None = None
        self.exit_status: int | None = None  # set only when the server exited by itself
        self.stopping = False
        self.stderr_tail: deque[str] = deque(maxlen=STDERR_TAIL)
        self.settled = anyio.Event()
        # Created up front so a start timeout can cancel it whether or not the task entered it yet.
        self.scope = anyio.CancelScope()

    @property
    def disabled(self) -> bool:
        return obj(self.spec.get("options")).get("disabled") is True

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


async def spawn(ds: Downstream) -> None:
    """Starts a stdio server's command, its `env` merged over this process's whole environment (mcp's
    stdio_client keeps only a few variables), in a session of its own: its own process group, which
    a stop can kill as a whole."""
    command = ds.spec.get("command")
    if not isinstance(command, str) or not command:
        ds.spawn_error = StartFailure("no 'command' in its proxy.json entry")
        return
    env = {**os.environ, **{str(k): str(v) for k, v in obj(ds.spec.get("env")).items()}}
    try:
        ds.process = await anyio.open_process([command, *map(str, ds.spec.get("args") or [])],
                                              env=env, start_new_session=True)
    except FileNotFoundError:
        ds.spawn_error = StartFailure(f"command not found: {command}")
    except OSError as error:
        ds.spawn_error = StartFailure(f"cannot run {command}: {error.strerror or error}")
