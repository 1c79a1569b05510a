"""A test command that never ends: it records its pid (so a test can prove it was stopped) and blocks."""

import os
import signal
import sys

with open(sys.argv[1], "w", encoding="utf-8") as handle:
    handle.write(str(os.getpid()))
print("hang.py: blocking until stopped", flush=True)
signal.pause()
