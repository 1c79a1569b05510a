"""A TCP listener for port-preflight tests.

Binds HOST:PORT (PORT 0 = ephemeral; with --count N the N consecutive ports PORT..PORT+N-1),
listens, prints `READY <first port>` and then accepts and holds connections until killed.
Exits 3 with `BUSY <port>` when a port cannot be bound, so a test can retry elsewhere.
"""
import argparse
import signal
import socket
import sys

parser = argparse.ArgumentParser()
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--port", type=int, default=0)
parser.add_argument("--count", type=int, default=1)
parser.add_argument("--ignore-sigterm", action="store_true", help="SIG_IGN for SIGTERM: only SIGKILL stops it")
parser.add_argument("--dual-stack", action="store_true", help="IPv6 socket with IPV6_V6ONLY off")
parser.add_argument("--close-accepted", action="store_true", help="close each accepted connection at once")
parser.add_argument("--no-reuseaddr", action="store_true", help="do not set SO_REUSEADDR (its TIME_WAITs then block binds)")
args = parser.parse_args()

# Children spawned from a libdispatch worker thread (Foundation's Process) inherit a mask that
# blocks SIGTERM; a server started from a shell has none. Behave like the latter.
signal.pthread_sigmask(signal.SIG_SETMASK, set())

if args.ignore_sigterm:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)

family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
sockets = []
for offset in range(args.count):
    port = args.port + offset if args.port else 0
    s = socket.socket(family, socket.SOCK_STREAM)
    if not args.no_reuseaddr:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0 if args.dual_stack else 1)
    try:
        s.bind((args.host, port))
    except OSError as error:
        print(f"BUSY {port} {error}", flush=True)
        sys.exit(3)
    s.listen(16)
    sockets.append(s)

print(f"READY {sockets[0].getsockname()[1]}", flush=True)
held = []
while True:
    connection, _ = sockets[0].accept()
    if args.close_accepted:
        connection.close()
    else:
        held.append(connection)
