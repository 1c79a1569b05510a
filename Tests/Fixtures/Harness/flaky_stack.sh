#!/usr/bin/env bash
# PROXY_CMD wrapper for REPEAT tests: counts its starts in $FLAKY_COUNTER and makes start number
# $FLAKY_FAIL_ON (default 3) exit at once; every other start runs the real stack ("$@").
count=$(( $(cat "$FLAKY_COUNTER" 2>/dev/null || echo 0) + 1 ))
echo "$count" >"$FLAKY_COUNTER"
if [ "$count" = "${FLAKY_FAIL_ON:-3}" ]; then
  exec "$VENV/bin/python" -c "import sys; sys.exit('flaky_stack.sh: start $count fails on purpose')"
fi
exec "$@"
