#!/usr/bin/env bash
# Two benchmarks of probe-initialize.
#
# 1. Readiness latency: probe-initialize (exponential backoff with jitter) against a bash/curl
#    loop with the original restart script's fixed schedule (waits 0, 0.5, 1, 2, 4 s before
#    attempts 1-5). Each run starts a local MCP server (Tests/Fixtures/ProbeKit/fault_server.py,
#    mode mcp) that refuses connections for a random 0-5 s (seeded) and then answers; both
#    clients get a server with the same delay. Latency = client done - server listening (the
#    server prints the instant).
# 2. Era readiness: on one FastMCP server of the pinned venv (both eras on one endpoint),
#    `--era modern` (server/discover, then the lists) against `--era legacy` (initialize,
#    notifications/initialized, the lists, the session DELETE), in pairs whose order alternates;
#    each run's tools_ready_ms (start to the catalog wait satisfied) and its wall time.
#
#   bench/probe.sh                 # BENCH_RUNS=10 BENCH_SEED=4242 BENCH_ERA_RUNS=20
#   BENCH_RUNS=20 BENCH_SEED=7 PROBE_BIN=.build/release/probe-initialize bench/probe.sh
#   BENCH_RUNS=0 bench/probe.sh    # the era benchmark only
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
runs=${BENCH_RUNS:-10}
seed=${BENCH_SEED:-4242}
era_runs=${BENCH_ERA_RUNS:-20}
server_script="$root/Tests/Fixtures/ProbeKit/fault_server.py"
python=${PYTHON:-$root/.venv/bin/python}
[[ -x $python ]] || python=$(command -v python3)

source "$root/bench/newest_build.bash"
probe=${PROBE_BIN:-$(newest_build probe-initialize)}
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

latency_bench() {
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
}

# One probe of the FastMCP server on $port in era $1; prints "ready_ms tools_ready_ms wall_ms".
era_probe() {
  local began ended spoken
  began=$(now)
  "$probe" --url "http://127.0.0.1:$port/mcp" --era "$1" --min-tools 8 --deadline 15 --quiet >"$work/era.json" || {
    echo "bench: probe-initialize --era $1 failed:" >&2; cat "$work/era.json" >&2; exit 1; }
  ended=$(now)
  spoken=$("$python" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["era"], d["ready_ms"], d["tools_ready_ms"])' "$work/era.json")
  [[ ${spoken%% *} == "$1" ]] || { echo "bench: --era $1 spoke ${spoken%% *}" >&2; exit 1; }
  awk -v r="${spoken#* }" -v b="$began" -v e="$ended" 'BEGIN{printf "%s %.0f\n", r, (e-b)*1000}'
}

era_bench() {
  echo "era bench: $era_runs pairs on one FastMCP server (8 tools), probe $probe"
  server_out="$work/fastmcp.out"
  "$python" "$root/Tests/Fixtures/ProbeKit/fastmcp_server.py" --tools 8 >"$server_out" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 3000); do
    grep -q '^READY ' "$server_out" 2>/dev/null && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.01
  done
  port=$(awk '/^READY /{print $2; exit}' "$server_out")
  [[ -n $port ]] || { echo "bench: FastMCP did not start" >&2; cat "$server_out" >&2; exit 3; }
  era_probe modern >/dev/null && era_probe legacy >/dev/null  # warm both paths once
  printf '%4s %28s %28s\n' pair "modern ready/tools/wall ms" "legacy ready/tools/wall ms"
  local -a mr=() mt=() mw=() lr=() lt=() lw=()
  local pair m l
  for pair in $(seq 1 "$era_runs"); do
    if (( pair % 2 )); then m=$(era_probe modern); l=$(era_probe legacy)
    else l=$(era_probe legacy); m=$(era_probe modern); fi
    read -r a b c <<<"$m"; mr+=("$a") mt+=("$b") mw+=("$c")
    read -r a b c <<<"$l"; lr+=("$a") lt+=("$b") lw+=("$c")
    printf '%4d %28s %28s\n' "$pair" "${m// / / }" "${l// / / }"
  done
  stop_server
  local m_r m_t m_w l_r l_t l_w
  m_r=$(printf '%s\n' "${mr[@]}" | median); l_r=$(printf '%s\n' "${lr[@]}" | median)
  m_t=$(printf '%s\n' "${mt[@]}" | median); l_t=$(printf '%s\n' "${lt[@]}" | median)
  m_w=$(printf '%s\n' "${mw[@]}" | median); l_w=$(printf '%s\n' "${lw[@]}" | median)
  echo "medians, modern vs legacy: ready_ms ${m_r} vs ${l_r}; tools_ready_ms ${m_t} vs ${l_t}; wall ${m_w} vs ${l_w} ms"
  awk -v mr="$m_r" -v lr="$l_r" -v mt="$m_t" -v lt="$l_t" -v mw="$m_w" -v lw="$l_w" 'BEGIN{
    if (mr < 1) mr = 1; if (mt < 1) mt = 1; if (mw < 1) mw = 1;
    printf "ratio (legacy / modern): ready %.2fx, tools ready %.2fx, wall time %.2fx\n", lr/mr, lt/mt, lw/mw }'
}

(( runs > 0 )) && latency_bench
(( era_runs > 0 )) && era_bench
exit 0
