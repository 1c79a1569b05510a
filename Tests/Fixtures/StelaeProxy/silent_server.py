"""Fixture for the stelae_proxy start timeout: a stdio "server" that starts, says so on stderr, and
never answers initialize. Its pid goes to $STELAE_PROXY_FIXTURE_PIDS/silent.pid."""

import os
import sys
import time
from pathlib import Path

pids = os.environ.get("STELAE_PROXY_FIXTURE_PIDS")
if pids:
    Path(pids, "silent.pid").write_text(f"{os.getpid()}\n")
print("silent fixture: reading nothing, answering nothing", file=sys.stderr, flush=True)
time.sleep(600)
