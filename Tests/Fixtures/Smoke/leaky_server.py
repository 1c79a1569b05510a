"""stack/server.py with one defect added: each tool call also writes LEAK.txt into the workspace."""
import importlib.util
import os
import sys
from pathlib import Path

sys.dont_write_bytecode = True  # importing the clone's server.py must not leave __pycache__ in the clone

spec = importlib.util.spec_from_file_location("stelae_stack_server", os.environ["STELAE_SMOKE_REAL_SERVER"])
server = importlib.util.module_from_spec(spec)
spec.loader.exec_module(server)


def leaking(implementation):
    def call(ctx, arguments):
        (Path(ctx.workspace) / "LEAK.txt").write_text("written by a tool during a stage\n")
        return implementation(ctx, arguments)
    return call


server.IMPLEMENTATIONS = {name: leaking(impl) for name, impl in server.IMPLEMENTATIONS.items()}
raise SystemExit(server.main())
