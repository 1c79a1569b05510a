#!/usr/bin/env bash
# Growth of `render-manifest render` (release build) with the catalog: generated catalogs of 100
# and 1,000 aggregates with 10 operations each, each rendered RUNS times into an empty directory
# (the full path: parse, validate, merge, overrides, dedupe, manifest, four atomic writes); the
# median wall and CPU (user+sys) times are printed with the 1,000/100 ratio, which should stay
# near 10x (linear). Speed itself is measured against Stelae's renderer (stelae-render.sh). On a
# shared machine wall time includes waiting for a core; CPU time is the render's own cost.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-7}
SWIFT=${SWIFT:-swift}
PYTHON=${PYTHON:-python3}
OPERATIONS=10

# The Makefile's release flags (static runtime), so this build reuses `make build`'s.
SWIFT_RELEASE=${SWIFT_RELEASE:-$SWIFT build -c release --static-swift-stdlib}
$SWIFT_RELEASE --product render-manifest >&2
bin="$($SWIFT_RELEASE --show-bin-path)/render-manifest"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat > "$work/template.json" <<'JSON'
{"mcpProxy": {"addr": ":{{PROXY_PORT}}", "baseURL": "{{PUBLIC_BASE_URL}}", "type": "streamable-http"},
 "manifest": {"toolOverridesPath": "{{TOOL_OVERRIDES_PATH}}"},
 "mcpServers": {"stelae": {"type": "stdio", "command": "python3", "args": ["{{STATE_HOME}}/server.py"]}}}
JSON

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# Prints "<median wall ms> <median cpu ms> <min wall ms>" for one catalog size.
measure() {
  local count=$1 catalog="$work/catalog-$1.json" out="$work/out-$1" walls=() cpus=()
  "$PYTHON" bench/gen_render_catalog.py "$count" "$OPERATIONS" "$catalog"
  local args=(render --template "$work/template.json" --catalog "$catalog" --scope default
              --config-home "$work/home" --out-dir "$out" --quiet)
  # Warm-up, and a check that the render really did the work.
  rm -rf "$out"
  HOME="$work" "$bin" "${args[@]}" > "$work/answer.json"
  local tools
  tools=$("$PYTHON" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["tools"]))' "$out/manifest.json")
  [ "$tools" = "$count" ] || { echo "render of $count aggregates listed $tools tools" >&2; exit 1; }
  local TIMEFORMAT='%R %U %S'
  for _ in $(seq "$RUNS"); do
    rm -rf "$out"
    local t
    t=$( { time HOME="$work" "$bin" "${args[@]}" > /dev/null; } 2>&1 )
    read -r real user sys <<< "$t"
    walls+=("$(awk -v r="$real" 'BEGIN { printf "%d", r * 1000 + 0.5 }')")
    cpus+=("$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%d", (u + s) * 1000 + 0.5 }')")
  done
  local wall cpu min
  wall=$(printf '%s\n' "${walls[@]}" | median)
  cpu=$(printf '%s\n' "${cpus[@]}" | median)
  min=$(printf '%s\n' "${walls[@]}" | sort -n | head -1)
  echo "$wall $cpu $min"
}

read -r base_wall base_cpu base_min <<< "$(measure 100)"
read -r big_wall big_cpu big_min <<< "$(measure 1000)"

printf 'render-manifest render, %d runs each, %d operations per aggregate (release build)\n' "$RUNS" "$OPERATIONS"
printf '  %-16s %10s %10s %10s\n' aggregates "wall p50" "cpu p50" "wall min"
printf '  %-16s %8s ms %8s ms %8s ms\n' 100 "$base_wall" "$base_cpu" "$base_min"
printf '  %-16s %8s ms %8s ms %8s ms\n' 1000 "$big_wall" "$big_cpu" "$big_min"
awk -v bw="$base_wall" -v bc="$base_cpu" -v w="$big_wall" -v c="$big_cpu" \
  'BEGIN { printf "  ratio 1000/100: wall %.1fx, cpu %.1fx (linear scaling is 10x)\n", w / (bw ? bw : 1), c / (bc ? bc : 1) }'
awk -v bc="$base_cpu" -v c="$big_cpu" 'BEGIN {
  r = c / (bc ? bc : 1)
  printf "  growth: %s (cpu ratio %.1fx for 10x the catalog)\n", (r <= 12 ? "linear" : "worse than linear"), r }'
