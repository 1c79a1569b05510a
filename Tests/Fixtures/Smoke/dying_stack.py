"""A stack command that dies at start, as a proxy with a broken downstream server would."""
import sys

print("dying_stack: loading proxy.json", file=sys.stderr)
print("dying_stack: ModuleNotFoundError: No module named 'stelae_missing_module'", file=sys.stderr)
sys.exit(3)
