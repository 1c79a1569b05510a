#!/usr/bin/env bash
# make smoke wall time: warm (tools built, .venv present; three stages) against the 5 s goal (issue 18),
# and cold (a fresh clone of this repository: debug build from scratch, then the chain).
# The cold run reuses this checkout's .venv (VENV=...) so it needs no network; set COLD=0 to skip it.
# Then the restart of the embedded stack (RESTART=0 skips) and a test step against its command run
# bare (TESTSTEP=0 skips).
# usage: bench/smoke.sh            prints times and ratios; exit 1 when a smoke run fails
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VENV=$(readlink -f "${VENV:-$ROOT/.venv}")
RUNS=${RUNS:-5}
TARGET_S=5
work=$(mktemp -d /tmp/bench-smoke-XXXXXX)
trap 'rm -rf "$work"' EXIT

seconds() { local t0 t1; t0=$(date +%s%N); "$@" >"$work/out.log" 2>&1; local rc=$?; t1=$(date +%s%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", (b-a)/1e9}'; return $rc; }

cd "$ROOT" || exit 2
echo "bench/smoke.sh: warming (make build) ..." >&2
# The tools as `make smoke` wants them (a debug build) (its stamp, so run 1 does not pay a no-op swift build).
make -s deps .build/debug/.smoke-tools VENV="$VENV" >/dev/null 2>&1 || { echo "make build failed" >&2; exit 1; }

warm=()
for i in $(seq 1 "$RUNS"); do
  t=$(seconds make -s smoke VENV="$VENV" SMOKE_DIR="$work/warm-$i") || { echo "warm run $i failed:"; tail -20 "$work/out.log"; exit 1; }
  warm+=("$t")
  echo "warm run $i: ${t} s"
done
median=$(printf '%s\n' "${warm[@]}" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')
chain=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['elapsed_ms']/1000)" "$work/warm-1/summary.json")
echo "warm make smoke (3 stages): median ${median} s over ${RUNS} runs (steps alone ${chain} s); target < ${TARGET_S} s; ratio to target $(awk -v m="$median" -v t=$TARGET_S 'BEGIN{printf "%.2f", m/t}')"

if [ "${COLD:-1}" = 1 ]; then
  git clone -q "$ROOT" "$work/fresh" || exit 1
  cd "$work/fresh" || exit 1
  # Reuse the pinned venv as it is: a fresh checkout's requirements files are newer than its stamp,
  # which would make `make deps` re-run pip in it. The pins are the same files, so date them back.
  touch -r "$VENV/.requirements.stamp" requirements.txt constraints.txt 2>/dev/null
  cold=$(seconds make -s smoke VENV="$VENV" SMOKE_DIR="$work/cold") || { echo "cold run failed after ${cold} s:"; tail -20 "$work/out.log"; exit 1; }
  echo "cold make smoke from a fresh clone (debug build + chain): ${cold} s; ratio cold/warm $(awk -v c="$cold" -v w="$median" 'BEGIN{printf "%.1f", c/w}')"
fi

cd "$ROOT" || exit 2

# Restart: the embedded stack restarted between every two stages (SMOKE_RESTART=between), stop to
# ready (restart_ms of each restart step), against the 3 s goal.
if [ "${RESTART:-1}" = 1 ]; then
  restarts=()
  for i in $(seq 1 "${RESTART_RUNS:-2}"); do
    make -s smoke VENV="$VENV" SMOKE_DIR="$work/restart-$i" SMOKE_RESTART=between >"$work/out.log" 2>&1 ||
      { echo "restart run $i failed:"; tail -20 "$work/out.log"; exit 1; }
    mapfile -t -O "${#restarts[@]}" restarts < <(python3 -c "import json,sys
for s in json.load(open(sys.argv[1]))['steps']:
    if s.get('restart_ms') is not None: print(s['restart_ms'])" "$work/restart-$i/summary.json")
  done
  printf '%s\n' "${restarts[@]}" | sort -n | awk -v goal=3000 '{a[NR]=$1} END{m=a[int((NR+1)/2)];
    printf "restart of the embedded stack (stop to ready): median %d ms, max %d ms over %d restarts; goal <= %d ms; ratio %.2f\n", m, a[NR], NR, goal, m/goal}'
fi

# A test step against the same command run bare: tests-pre (pytest stack/tests/test_stack_files.py,
# the embedded suite's file checks) as the chain runs it, and the same pytest in the same test
# environment and clone by hand, once after each run.
if [ "${TESTSTEP:-1}" = 1 ]; then
  step=() bare=()
  for i in $(seq 1 "${TEST_RUNS:-3}"); do
    make -s smoke VENV="$VENV" SMOKE_DIR="$work/tests-$i" SMOKE_TESTS=1 STAGES=install KEEP=1 >"$work/out.log" 2>&1 ||
      { echo "test-step run $i failed:"; tail -20 "$work/out.log"; exit 1; }
    step+=("$(python3 -c "import json,sys; print([s for s in json.load(open(sys.argv[1]))['steps'] if s['step']=='tests-pre'][0]['elapsed_ms'])" "$work/tests-$i/summary.json")")
    env_dir=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['env'])" "$work/tests-$i"/*-test-env.json)
    t0=$(date +%s%N)
    (cd "$work/tests-$i/workspace" && PYTHONDONTWRITEBYTECODE=1 "$env_dir/bin/pytest" -p no:cacheprovider -q \
      stack/tests/test_stack_files.py >/dev/null 2>&1) || { echo "bare pytest failed"; exit 1; }
    bare+=("$(( ($(date +%s%N) - t0) / 1000000 ))")
  done
  median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
  ms=$(median "${step[@]}") b=$(median "${bare[@]}")
  echo "test step (tests-pre) ${ms} ms against the same pytest run bare ${b} ms (medians of ${#step[@]}): harness cost $((ms - b)) ms; ratio $(awk -v s="$ms" -v b="$b" 'BEGIN{printf "%.2f", s/b}')"
fi
