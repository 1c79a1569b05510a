"""The `broken` server of the Stelae-shaped fixture: dies at start, as a server with a missing module does."""

import sys

print("Traceback (most recent call last):", file=sys.stderr)
print("ModuleNotFoundError: No module named 'stelae_fixture_missing'", file=sys.stderr)
sys.exit(1)
