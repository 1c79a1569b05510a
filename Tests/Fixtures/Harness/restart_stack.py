"""PROXY_CMD wrapper for restart tests: python restart_stack.py MODE -- STACK COMMAND...

Counts its starts in $SMOKE_RUN_DIR/restart-wrapper.count. The first start runs the real stack.
  hang: every later start prints one line and blocks without listening (a stack that never comes back).
  grab: when the first stack is stopped (SIGTERM), a process in a session of its own binds the
        stack's port (PROXY_PORT) and holds it for at most 120 s; its pid goes to
        $SMOKE_RUN_DIR/grabber.pid. The wrapper exits once the port is held.
"""

import os
import signal
import socket
import subprocess
import sys
import time

mode = sys.argv[1]
command = sys.argv[sys.argv.index("--") + 1:]
run_dir = os.environ["SMOKE_RUN_DIR"]

if mode == "grabber":
    # The port holder: bind as soon as the stack let go of it (bounded), then hold it.
    port = int(os.environ["PROXY_PORT"])
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    deadline = time.monotonic() + 10
    while True:
        try:
            sock.bind(("127.0.0.1", port))
            break
        except OSError:
            if time.monotonic() > deadline:
                sys.exit(1)
            time.sleep(0.02)
    sock.listen()
    with open(os.path.join(run_dir, "grabber.pid"), "w") as handle:
        handle.write(str(os.getpid()))
    print("grabber: holding the port", flush=True)
    signal.alarm(120)
    signal.pause()
    sys.exit(0)

counter = os.path.join(run_dir, "restart-wrapper.count")
count = int(open(counter).read()) + 1 if os.path.exists(counter) else 1
with open(counter, "w") as handle:
    handle.write(str(count))

if count > 1 and mode == "hang":
    print(f"restart_stack.py: start {count} hangs on purpose (never listens)", flush=True)
    signal.pause()

child = subprocess.Popen(command)
stopping = False


def stop(signum, frame):
    global stopping
    stopping = True
    child.terminate()


signal.signal(signal.SIGTERM, stop)
status = child.wait()
if stopping and mode == "grab" and count == 1:
    # Hand the port over: a process of another session binds it once the stack let go of it.
    grabber = subprocess.Popen([sys.executable, __file__, "grabber", "--"], start_new_session=True)
    pid_file = os.path.join(run_dir, "grabber.pid")
    deadline = time.monotonic() + 4
    while not os.path.exists(pid_file) and grabber.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    sys.exit(0)
sys.exit(status)
