"""What the fixture servers of this folder share: the SIGTERM reset every test server needs, and
reading one request off an asyncio stream (fault_server.py, load_server.py write HTTP by hand)."""
import asyncio
import signal
import sys


def die_on_sigterm() -> None:
    """A parent may spawn us with SIGTERM blocked or ignored (both survive exec); the tests stop
    servers with SIGTERM and must not wait for their SIGKILL fallback."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


async def read_request(reader):
    """(method, target, headers with lower-case names, body) of the next request."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0") or 0)
    body = await reader.readexactly(length) if length else b""
    return method, target, headers, body


def serve(main) -> None:
    """Runs a fixture server's entry point (a coroutine function, or a plain one that blocks)
    until SIGTERM; Ctrl-C ends it quietly."""
    die_on_sigterm()
    try:
        if asyncio.iscoroutinefunction(main):
            asyncio.run(main())
        else:
            main()
    except KeyboardInterrupt:
        sys.exit(0)
