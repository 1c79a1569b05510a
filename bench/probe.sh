#!/usr/bin/env bash
# Readiness latency: probe-initialize (exponential backoff with jitter) against a bash/curl loop
# with the original restart script's fixed schedule (waits 0, 0.5, 1, 2, 4 s before attempts 1-5).
# Each run starts a local MCP server (Tests/Fixtures/ProbeKit/fault_server.py, mode mcp) that
# refuses connections for a random 0-5 s (seeded) and then answers; both clients get a server
# with the same delay. Latency = client done - server listening (the server prints the instant).
#
#   bench/probe.sh                 # BENCH_RUNS=10 BENCH_SEED=4242
#   BENCH_RUNS=20 BENCH_SEED=7 PROBE_BIN=.build/release/probe-initialize bench/probe.sh
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
runs=${BENCH_RUNS:-10}
seed=${BENCH_SEED:-4242}
server_script="$root/Tests/Fixtures/ProbeKit/fault_server.py"
python=${PYTHON:-$root/.venv/bin/python}
[[ -x $python ]] || python=$(command -v python3)

probe=${PROBE_BIN:-}
if [[ -z $probe ]]; then
  for candidate in "$root/.build/release/probe-initialize" "$root/.build/debug/probe-initialize"; do
    [[ -x $candidate ]] && { probe=$candidate; break; }
  done
fi
if [[ -z $probe ]]; then
  echo "bench: building probe-initialize (debug)" >&2
  (cd "$root" && swift build --product probe-initialize >&2)
  probe="$root/.build/debug/probe-initialize"
fi
command -v curl >/dev/null || { echo "bench: curl is needed for the baseline" >&2; exit 3; }

work=$(mktemp -d "${TMPDIR:-/tmp}/probe-bench.XXXXXX")
server_pid=""
cleanup() {
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

now() { echo "${EPOCHREALTIME/,/.}"; }

# Starts a server refusing connects for $1 seconds; sets server_pid, port, server_out.
start_server() {
  server_out="$work/server.$RANDOM.out"
  "$python" "$server_script" --mode mcp --listen-delay "$1" >"$server_out" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 200); do
    grep -q '^PORT ' "$server_out" 2>/dev/null && break
    sleep 0.01
  done
  port=$(awk '/^PORT /{print $2; exit}' "$server_out")
  [[ -n $port ]] || { echo "bench: server did not start" >&2; cat "$server_out" >&2; exit 3; }
}

stop_server() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

listen_time() { awk '/^LISTEN /{print $2; exit}' "$server_out"; }

# The original schedule, as the restart script ran it (with the headers a server needs).
curl_loop() {
  local url=$1 body
  body='{"jsonrpc":"2.0","id":"init","method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"bench","version":"0"}}}'
  for wait in 0 0.5 1 2 4; do
    sleep "$wait"
    if curl -s -m 5 -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
      -d "$body" "$url" 2>/dev/null | grep -q '"result"'; then
      return 0
    fi
  done
  return 1
}

median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.1f\n", (a[NR/2]+a[NR/2+1])/2}'; }

echo "probe bench: $runs runs, seed $seed, probe $probe"
printf '%4s %9s %14s %13s\n' run delay_ms probe_lag_ms curl_lag_ms
RANDOM=$seed
probe_lags=() curl_lags=()
for run in $(seq 1 "$runs"); do
  delay_ms=$(( (RANDOM * 32768 + RANDOM) % 5001 ))
  delay=$(awk -v ms="$delay_ms" 'BEGIN{printf "%.3f", ms/1000}')

  start_server "$delay"
  "$probe" --url "http://127.0.0.1:$port/mcp" --deadline 15 --quiet >"$work/probe.json" || {
    echo "bench: probe-initialize failed:" >&2; cat "$work/probe.json" >&2; exit 1; }
  done_at=$(now)
  probe_lag=$(awk -v d="$done_at" -v l="$(listen_time)" 'BEGIN{printf "%.0f", (d-l)*1000}')
  stop_server

  start_server "$delay"
  curl_loop "http://127.0.0.1:$port/mcp" || { echo "bench: curl loop never saw the server" >&2; exit 1; }
  done_at=$(now)
  curl_lag=$(awk -v d="$done_at" -v l="$(listen_time)" 'BEGIN{printf "%.0f", (d-l)*1000}')
  stop_server

  probe_lags+=("$probe_lag") curl_lags+=("$curl_lag")
  printf '%4d %9d %14d %13d\n' "$run" "$delay_ms" "$probe_lag" "$curl_lag"
done

probe_median=$(printf '%s\n' "${probe_lags[@]}" | median)
curl_median=$(printf '%s\n' "${curl_lags[@]}" | median)
echo "median readiness lag after the server listens: probe-initialize ${probe_median} ms, curl loop ${curl_median} ms"
awk -v p="$probe_median" -v c="$curl_median" 'BEGIN{ if (p < 1) p = 1; printf "ratio (curl loop / probe-initialize): %.1fx\n", c/p }'
