#!/usr/bin/env bash
# Benchmark of codex-stage:
#  1. `codex-stage run` vs bare `codex exec` on the same stage, the same scripted model code
#     (`codex-stage serve-model`) and the same config keys, against the FastMCP fixture server
#     (target ratio <= 1.05);
#  2. `codex-stage check` on a generated 100 MB transcript: wall time (target < 2 s) and peak
#     RSS (target < 64 MB).
# Switches: RUNS (default 10), SIZE_MB (default 100), BIN (directory holding codex-stage;
# default the release build, else the debug build), CODEX_BIN.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${RUNS:-10}
SIZE_MB=${SIZE_MB:-100}
PY=${PY:-$ROOT/.venv/bin/python}
if [[ -z "${BIN:-}" ]]; then
  for candidate in "$ROOT/.build/release" "$ROOT/.build-release/release" "$ROOT/.build/debug"; do
    [[ -x "$candidate/codex-stage" ]] && { BIN=$candidate; break; }
  done
fi
TOOL="$BIN/codex-stage"
[[ -x "$TOOL" ]] || { echo "codex-stage not built (run swift build -c release)" >&2; exit 3; }
CODEX=${CODEX_BIN:-$("$PY" -c 'import codex_cli_bin, os; print(os.path.dirname(codex_cli_bin.__file__))')/bin/codex}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/codex-bench-XXXXXX")
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

wait_ready() { # file -> port
  for _ in $(seq 600); do
    if grep -q '^READY' "$1" 2>/dev/null; then awk '/^READY/{print $2; exit}' "$1"; return; fi
    sleep 0.05
  done
  echo "no READY line in $1" >&2; exit 3
}
now_ns() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

echo "codex-stage: $TOOL"
echo "codex:       $CODEX ($("$CODEX" --version 2>/dev/null || echo unknown))"

# --- 1. run vs bare codex exec ---------------------------------------------------------------
"$PY" "$ROOT/Tests/Fixtures/CodexKit/mcp_fixture.py" > "$WORK/fixture.out" 2> "$WORK/fixture.err" &
PIDS+=($!)
MCP_URL="http://127.0.0.1:$(wait_ready "$WORK/fixture.out")/mcp"
cat > "$WORK/stages.json" <<'JSON'
{"stages": [{"name": "bench", "prompt": "Call echo, count and echo.", "expectations": [
  {"tool": "echo", "arguments": {"text": "one"}}, {"tool": "count", "arguments": {"n": 5}}, {"tool": "echo", "arguments": {"text": "two"}}]}]}
JSON
mkdir -p "$WORK/repo"
"$TOOL" serve-model --stages "$WORK/stages.json" --name bench --mcp-url "$MCP_URL" \
  --codex-home "$WORK/bare-home" --ready-file "$WORK/model.ready" --quiet > "$WORK/serve.json" &
PIDS+=($!)
wait_ready "$WORK/model.ready" > /dev/null

run_stage() {
  "$TOOL" run --stages "$WORK/stages.json" --name bench --cd "$WORK/repo" --mcp-url "$MCP_URL" \
    --codex "$CODEX" --work "$WORK/stage" --quiet > "$WORK/stage.json" || { cat "$WORK/stage.json" >&2; exit 1; }
}
run_bare() {
  env -u RUST_BACKTRACE CODEX_HOME="$WORK/bare-home" "$CODEX" exec --json --skip-git-repo-check \
    --sandbox workspace-write --ephemeral --cd "$WORK/repo" "Call echo, count and echo." \
    < /dev/null > "$WORK/bare.jsonl" 2> "$WORK/bare.err"
  [[ $(grep -c '"item.completed".*"mcp_tool_call".*"completed"' "$WORK/bare.jsonl") == 3 ]] || { echo "bare run did not make 3 calls" >&2; exit 1; }
}
run_stage; run_bare   # warm-up (page cache, Python imports of the fixture)
: > "$WORK/stage.times"; : > "$WORK/bare.times"
for i in $(seq "$RUNS"); do
  # Alternate the order so drift in machine load hits both sides alike.
  for which in $([[ $((i % 2)) == 0 ]] && echo "stage bare" || echo "bare stage"); do
    t0=$(now_ns); "run_$which"; t1=$(now_ns)
    echo $(( (t1 - t0) / 1000000 )) >> "$WORK/$which.times"
  done
done
STAGE_MS=$(median < "$WORK/stage.times")
BARE_MS=$(median < "$WORK/bare.times")
echo "run:   codex-stage run median ${STAGE_MS} ms, bare codex exec median ${BARE_MS} ms over $RUNS runs each (3 MCP calls)"
echo "run:   ratio $(awk -v a="$STAGE_MS" -v b="$BARE_MS" 'BEGIN {printf "%.3f", a / b}') (target <= 1.05)"
echo "run:   codex-stage times (ms): $(tr '\n' ' ' < "$WORK/stage.times")"
echo "run:   bare codex times (ms):  $(tr '\n' ' ' < "$WORK/bare.times")"

# --- 2. check on a large transcript ----------------------------------------------------------
python3 "$ROOT/bench/gen_codex_transcript.py" "$SIZE_MB" "$WORK/big.jsonl"
cat > "$WORK/big-stages.json" <<'JSON'
{"stages": [{"name": "big", "prompt": "-", "expectations": [
  {"tool": "workspace_fs_read", "arguments": {"operation": "read_file"}, "min_calls": 3}, {"tool": "grep"}]}]}
JSON
BYTES=$(stat -c %s "$WORK/big.jsonl")
/usr/bin/time -f "%e %M" -o "$WORK/check.time" "$TOOL" check --stages "$WORK/big-stages.json" --name big "$WORK/big.jsonl" > "$WORK/check.json"
read -r CHECK_S CHECK_KB < "$WORK/check.time"
"$PY" - "$WORK/check.json" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is True, d.get("error")
print(f"check: verdict ok={d['ok']} calls={len(d['calls'])} transcript_lines={d['transcript_lines']} nonjson_lines={d['nonjson_lines']}")
PYEOF
echo "check: $((BYTES / 1048576)) MB transcript in ${CHECK_S} s (target < 2 s), peak RSS $((CHECK_KB / 1024)) MB (target < 64 MB)"
/usr/bin/time -f "%e %M" -o "$WORK/wc.time" wc -l "$WORK/big.jsonl" > /dev/null
read -r WC_S WC_KB < "$WORK/wc.time"
echo "check: baseline wc -l on the same file: ${WC_S} s, ratio $(awk -v a="$CHECK_S" -v b="$WC_S" 'BEGIN {if (b > 0) printf "%.1f", a / b; else print "n/a"}')"
