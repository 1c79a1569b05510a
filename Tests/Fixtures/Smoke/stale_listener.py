"""A stale listener holding a loopback port (like a forgotten proxy): binds, prints READY <port>, waits."""
import signal
import socket
import sys

listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 0))
listener.listen(8)
print(f"READY {listener.getsockname()[1]}", flush=True)
signal.pause()
