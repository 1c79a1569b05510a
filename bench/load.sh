#!/usr/bin/env bash
# The client's own overhead in probe-initialize's load mode: `--load SESSIONS --duration SEC
# --era modern` against the embedded stack (stack/ rendered by render-manifest, served by
# stack/stelae_proxy.py) and, on the same server with the same concurrency and duration, the
# least client that can do it (bench/load_raw.py: threads POSTing the same tools/list back to
# back). Pairs alternate their order. Per run: requests/s, p50 latency, and the client's CPU
# (user + sys, GNU time) per request. It prints every run, the medians and the ratios
# probe-initialize / raw loop (requests/s: higher is better; p50 and CPU: lower is better).
#
#   bench/load.sh                       # LOAD_SESSIONS=32 LOAD_SECONDS=10 LOAD_PAIRS=3
#   LOAD_PAIRS=5 PROBE_BIN=.build/release/probe-initialize bench/load.sh
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
sessions=${LOAD_SESSIONS:-32}
seconds=${LOAD_SECONDS:-10}
pairs=${LOAD_PAIRS:-3}
python=${PYTHON:-$root/.venv/bin/python}
[[ -x $python ]] || { echo "bench: $python missing (make venv)" >&2; exit 3; }
[[ -x /usr/bin/time ]] || { echo "bench: GNU time (/usr/bin/time) is needed for the CPU figures" >&2; exit 3; }

source "$root/bench/newest_build.bash"
probe=${PROBE_BIN:-$(newest_build probe-initialize)}
if [[ -z $probe ]]; then
  echo "bench: building probe-initialize and render-manifest (debug)" >&2
  (cd "$root" && swift build --product probe-initialize >&2 && swift build --product render-manifest >&2)
  probe="$root/.build/debug/probe-initialize"
fi
# render-manifest only prepares the stack: any build of it will do.
render=""
for candidate in "$(dirname "$probe")/render-manifest" "$root/.build/debug/render-manifest" "$root/.build/release/render-manifest"; do
  [[ -x $candidate ]] && { render=$candidate; break; }
done
[[ -n $render ]] || { echo "bench: render-manifest is not built (swift build --product render-manifest)" >&2; exit 3; }

work=$(mktemp -d "${TMPDIR:-/tmp}/load-bench.XXXXXX")
stack_pid=""
cleanup() {
  [[ -n $stack_pid ]] && kill "$stack_pid" 2>/dev/null && wait "$stack_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/workspace"
git -C "$work/workspace" init -q && echo "# load bench" >"$work/workspace/README.md"
"$render" render --template "$root/stack/proxy.template.json" --catalog "$root/stack/catalog/core.json" --scope default \
  --config-home "$work/config" --state-home "$work" --out-dir "$work" --set PROXY_PORT=1 \
  --set "STACK_PYTHON=$python" --set "WORKSPACE_DIR=$work/workspace" --quiet >"$work/render.json" ||
  { echo "bench: render failed" >&2; cat "$work/render.json" >&2; exit 1; }
FASTMCP_SHOW_SERVER_BANNER=false "$python" "$root/stack/stelae_proxy.py" --config "$work/proxy.json" --port 0 \
  >"$work/stack.out" 2>"$work/stack.log" &
stack_pid=$!
url=""
for _ in $(seq 1 600); do  # at most 60 s for the stack to serve
  url=$(grep -o 'serving .* on http://127\.0\.0\.1:[0-9]*/mcp' "$work/stack.log" 2>/dev/null | grep -o 'http://.*' || true)
  [[ -n $url ]] && break
  kill -0 "$stack_pid" 2>/dev/null || break
  sleep 0.1
done
[[ -n $url ]] || { echo "bench: the embedded stack did not serve" >&2; cat "$work/stack.log" >&2; exit 3; }

# Each prints "requests_per_s p50_ms cpu_ms_per_request" for one run of $1 seconds.
ours() {
  /usr/bin/time -f '%U %S' -o "$work/cpu" "$probe" --url "$url" --era modern --load "$sessions" --duration "$1" --quiet \
    >"$work/ours.json" || { echo "bench: probe-initialize --load failed:" >&2; cat "$work/ours.json" >&2; exit 1; }
  "$python" - "$work/ours.json" "$work/cpu" <<'PY'
import json, sys
load = json.load(open(sys.argv[1]))["load"]
user, system = map(float, open(sys.argv[2]).read().split()[-2:])
print(load["requests_per_s"], load["latency_ms"]["p50"], round((user + system) * 1000 / load["requests"], 3))
PY
}
raw() {
  /usr/bin/time -f '%U %S' -o "$work/cpu" "$python" "$root/bench/load_raw.py" "$url" "$sessions" "$1" >"$work/raw.json" ||
    { echo "bench: the raw loop failed" >&2; exit 1; }
  "$python" - "$work/raw.json" "$work/cpu" <<'PY'
import json, sys
raw = json.load(open(sys.argv[1]))
if raw["ok"] != raw["requests"]:
    sys.exit(f"bench: the raw loop got {raw['requests'] - raw['ok']} failed answers")
user, system = map(float, open(sys.argv[2]).read().split()[-2:])
print(raw["requests_per_s"], raw["p50_ms"], round((user + system) * 1000 / raw["requests"], 3))
PY
}

echo "load bench: $sessions sessions x $seconds s, $pairs pairs, embedded stack at $url, probe $probe"
ours 1 >/dev/null && raw 1 >/dev/null  # warm both
printf '%4s %36s %36s\n' pair "probe-initialize req/s / p50 ms / CPU ms" "raw loop req/s / p50 ms / CPU ms"
: >"$work/rows"
for pair in $(seq 1 "$pairs"); do
  if (( pair % 2 )); then o=$(ours "$seconds"); r=$(raw "$seconds"); else r=$(raw "$seconds"); o=$(ours "$seconds"); fi
  echo "$o $r" >>"$work/rows"
  printf '%4d %36s %36s\n' "$pair" "${o// / / }" "${r// / / }"
done
"$python" - "$work/rows" <<'PY'
import statistics, sys
rows = [list(map(float, line.split())) for line in open(sys.argv[1]) if line.strip()]
med = [statistics.median(r[i] for r in rows) for i in range(6)]
ratio = [statistics.median(r[i] / r[i + 3] for r in rows) for i in range(3)]
print(f"medians: probe-initialize {med[0]:.1f} req/s, p50 {med[1]:.2f} ms, {med[2]:.3f} CPU ms/request; "
      f"raw loop {med[3]:.1f} req/s, p50 {med[4]:.2f} ms, {med[5]:.3f} CPU ms/request")
print(f"ratio probe-initialize / raw loop (median of the pairs): requests/s {ratio[0]:.2f}x, "
      f"p50 {ratio[1]:.2f}x, CPU per request {ratio[2]:.2f}x")
PY
