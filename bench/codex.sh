#!/usr/bin/env bash
# Benchmark of codex-stage:
#  1. `codex-stage run` vs bare `codex exec` on the same stage, the same scripted model code
#     (`codex-stage serve-model`) and the same config keys, against the FastMCP fixture server
#     (target ratio <= 1.05);
#  2. `codex-stage check` on a generated 100 MB transcript: wall time (target < 2 s) and peak
#     RSS (target < 64 MB).
# Switches: RUNS (pairs, default 150), SIZE_MB (default 100), BIN (directory holding codex-stage;
# default the release build, else the debug build), CODEX_BIN.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${RUNS:-150}
SIZE_MB=${SIZE_MB:-100}
PY=${PY:-$ROOT/.venv/bin/python}
if [[ -z "${BIN:-}" ]]; then
  for candidate in "$ROOT/.build/release" "$ROOT/.build-release/release" "$ROOT/.build/debug"; do
    [[ -x "$candidate/codex-stage" ]] && { BIN=$candidate; break; }
  done
fi
TOOL="$BIN/codex-stage"
[[ -x "$TOOL" ]] || { echo "codex-stage not built (run make build)" >&2; exit 3; }
CODEX=${CODEX_BIN:-$("$PY" -c 'import codex_cli_bin, os; print(os.path.dirname(codex_cli_bin.__file__))')/bin/codex}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/codex-bench-XXXXXX")
# The bare runs' homes go where codex-stage puts its throwaway home (/dev/shm when it is a
# writable tmpfs), so Codex's own set-up in a fresh home costs both sides the same.
HOMES=$WORK
if [[ $(stat -f -c %T /dev/shm 2>/dev/null) == tmpfs && -w /dev/shm ]]; then HOMES=$(mktemp -d /dev/shm/codex-bench-XXXXXX); fi
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK" "$HOMES"
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
echo "homes:       $HOMES ($(stat -f -c %T "$HOMES"))"
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

run_stage() {
  "$TOOL" run --stages "$WORK/stages.json" --name bench --cd "$WORK/repo" --mcp-url "$MCP_URL" \
    --codex "$CODEX" --work "$WORK/stage" --quiet > "$WORK/stage.json" || { cat "$WORK/stage.json" >&2; exit 1; }
}
# A scripted model for bare codex exec, with a CODEX_HOME written for it (the same config keys
# codex-stage writes). It starts before the clock does: the baseline pays neither its start-up
# nor its shutdown.
MODEL_PID=
start_model() { # home
  rm -rf "$1" "$WORK/model.ready"
  "$TOOL" serve-model --stages "$WORK/stages.json" --name bench --mcp-url "$MCP_URL" \
    --codex-home "$1" --ready-file "$WORK/model.ready" --quiet > "$1.serve.json" &
  MODEL_PID=$!
  wait_ready "$WORK/model.ready" > /dev/null
}
stop_model() { kill "$MODEL_PID" 2>/dev/null || true; wait "$MODEL_PID" 2>/dev/null || true; }
# codex-stage gives every stage a fresh CODEX_HOME and a freshly started model server (isolation
# is the point); Codex pays a first-run set-up (state databases, skills) in a fresh home, and a
# new server answers its first requests cold. The like-for-like baseline is bare codex exec with
# both fresh each run ("fresh"); bare codex exec against one warm server and one reused home
# ("reused") is shown too.
run_bare() { run_bare_in "$HOMES/bare-fresh"; }
run_reused() { run_bare_in "$HOMES/bare-home"; }
run_bare_in() {
  env -u RUST_BACKTRACE CODEX_HOME="$1" "$CODEX" exec --json --skip-git-repo-check \
    --sandbox workspace-write --ephemeral --cd "$WORK/repo" "Call echo, count and echo." \
    < /dev/null > "$WORK/bare.jsonl" 2> "$WORK/bare.err"
  [[ $(grep -c '"item.completed".*"mcp_tool_call".*"completed"' "$WORK/bare.jsonl") == 3 ]] || { echo "bare run did not make 3 calls" >&2; exit 1; }
}
before_bare() { start_model "$HOMES/bare-fresh"; }
after_bare() { stop_model; }
before_reused() { :; }
after_reused() { :; }
before_stage() { :; }
after_stage() { :; }

start_model "$HOMES/bare-home"; REUSED_PID=$MODEL_PID; PIDS+=("$REUSED_PID")
run_reused            # initialises the reused home once
MODEL_PID=
run_stage; before_bare; run_bare; after_bare   # warm-up (page cache, the fixture's first requests)
timed() { # side -> appends its wall time to <side>.times
  "before_$1"
  local t0 t1; t0=$(now_ns); "run_$1"; t1=$(now_ns)
  "after_$1"
  echo $(( (t1 - t0) / 1000000 )) >> "$WORK/$1.times"
}
quantiles() { sort -n | awk '{a[NR]=$1} END {printf "min %d, p25 %d, median %d, p75 %d, max %d", a[1], a[int(NR/4)+1], a[int(NR/2)+1], a[int(3*NR/4)+1], a[NR]}'; }
: > "$WORK/stage.times"; : > "$WORK/bare.times"; : > "$WORK/reused.times"
# Pairs run back to back, in alternating order, so machine drift between pairs cancels out of each
# pair's ratio; every fifth pair is followed by a reused-home run (shown for scale, not paired).
for i in $(seq "$RUNS"); do
  if (( i % 2 )); then timed stage; timed bare; else timed bare; timed stage; fi
  if (( i % 5 == 0 )); then timed reused; fi
done
STAGE_MS=$(median < "$WORK/stage.times")
BARE_MS=$(median < "$WORK/bare.times")
REUSED_MS=$(median < "$WORK/reused.times")
echo "run:   $RUNS pairs (3 MCP calls each): codex-stage run median ${STAGE_MS} ms; bare codex exec, fresh model and CODEX_HOME ${BARE_MS} ms"
echo "run:   codex-stage / bare: $("$PY" "$ROOT/bench/paired_ratio.py" "$WORK/stage.times" "$WORK/bare.times" 1.05)"
echo "run:   bare codex exec, warm model, reused CODEX_HOME: median ${REUSED_MS} ms over $(wc -l < "$WORK/reused.times") runs" \
  "(codex-stage / that $(awk -v a="$STAGE_MS" -v b="$REUSED_MS" 'BEGIN {printf "%.3f", a / b}'): the price of a fresh home, which isolation needs)"
# The tool's own fixed cost: the same run with a child that exits at once (no Codex at all).
printf '#!/bin/sh\nexit 0\n' > "$WORK/noop-codex"; chmod +x "$WORK/noop-codex"
: > "$WORK/noop.times"
for _ in $(seq 40); do
  t0=$(now_ns)
  "$TOOL" run --stages "$WORK/stages.json" --name bench --cd "$WORK/repo" --mcp-url "$MCP_URL" \
    --codex "$WORK/noop-codex" --work "$WORK/noop" --quiet > /dev/null || true
  t1=$(now_ns); echo $(( (t1 - t0) / 1000000 )) >> "$WORK/noop.times"
done
echo "run:   codex-stage fixed cost with a no-op child: median $(median < "$WORK/noop.times") ms over 40 runs (process start, model server, CODEX_HOME, spawn, report)"
echo "run:   codex-stage (ms): $(quantiles < "$WORK/stage.times")"
echo "run:   bare, fresh (ms): $(quantiles < "$WORK/bare.times")"

# --- 2. check on a large transcript ----------------------------------------------------------
python3 "$ROOT/bench/gen_codex_transcript.py" "$SIZE_MB" "$WORK/big.jsonl"
cat > "$WORK/big-stages.json" <<'JSON'
{"stages": [{"name": "big", "prompt": "-", "expectations": [
  {"tool": "workspace_fs_read", "arguments": {"operation": "read_file"}, "min_calls": 3}, {"tool": "grep"}]}]}
JSON
BYTES=$(stat -c %s "$WORK/big.jsonl")
cat "$WORK/big.jsonl" > /dev/null   # page cache warm for every timed run
: > "$WORK/check.times"; : > "$WORK/wc.times"; PEAK_KB=0
for _ in 1 2 3 4 5; do
  t0=$(now_ns)
  /usr/bin/time -f "%M" -o "$WORK/check.rss" "$TOOL" check --stages "$WORK/big-stages.json" --name big "$WORK/big.jsonl" > "$WORK/check.json"
  t1=$(now_ns)
  echo $(( (t1 - t0) / 1000000 )) >> "$WORK/check.times"
  kb=$(tail -1 "$WORK/check.rss"); (( kb > PEAK_KB )) && PEAK_KB=$kb
  t0=$(now_ns); wc -l "$WORK/big.jsonl" > /dev/null; t1=$(now_ns)
  echo $(( (t1 - t0) / 1000000 )) >> "$WORK/wc.times"
done
"$PY" - "$WORK/check.json" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is True, d.get("error")
print(f"check: verdict ok={d['ok']} calls={len(d['calls'])} transcript_lines={d['transcript_lines']} nonjson_lines={d['nonjson_lines']}")
PYEOF
CHECK_MS=$(median < "$WORK/check.times")
WC_MS=$(median < "$WORK/wc.times")
echo "check: $((BYTES / 1048576)) MB transcript: median ${CHECK_MS} ms over 5 runs (target < 2000 ms), peak RSS $((PEAK_KB / 1024)) MB (target < 64 MB)"
echo "check: times (ms): $(tr '\n' ' ' < "$WORK/check.times")"
echo "check: baseline wc -l on the same file: median ${WC_MS} ms, ratio $(awk -v a="$CHECK_MS" -v b="$WC_MS" 'BEGIN {if (b > 0) printf "%.1f", a / b; else print "n/a"}')"
