"""A TCP socket that is NOT a listener, for port-preflight tests.

connect mode (default): connects to HOST:PORT, optionally from the fixed local port
--local-port (SO_REUSEADDR), prints `READY <local port>` and waits for a signal.
--bind-only: binds HOST:--local-port without listening or connecting, prints READY, waits.
"""
import argparse
import signal
import socket

parser = argparse.ArgumentParser()
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--port", type=int, default=0)
parser.add_argument("--local-port", type=int, default=0)
parser.add_argument("--bind-only", action="store_true")
args = parser.parse_args()

# Children spawned from a libdispatch worker thread (Foundation's Process) inherit a mask that
# blocks SIGTERM; a server started from a shell has none. Behave like the latter.
signal.pthread_sigmask(signal.SIG_SETMASK, set())

family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
s = socket.socket(family, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
if args.local_port or args.bind_only:
    s.bind((args.host, args.local_port))
if not args.bind_only:
    s.connect((args.host, args.port))
print(f"READY {s.getsockname()[1]}", flush=True)
while True:
    signal.pause()
