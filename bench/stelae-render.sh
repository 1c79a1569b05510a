#!/usr/bin/env bash
# render-manifest against Stelae's own renderer, on the same real Stelae checkout (STELAE_DIR)
# and the same config home: Stelae's `make render-proxy` (process_tool_aggregations.py, then
# render_proxy_config.py, on the pinned .venv-stelae) against one `render-manifest render`
# (release build). Each side is a cold process per run; RUNS pairs run back to back in
# alternating order, and the headline is the paired ratio ours/Stelae's (goal: <= 0.05, i.e.
# at least 20x faster). Both renders are checked first: the same proxy.json and the same
# visible server::tool set, or the bench stops.
# Without STELAE_DIR (a checkout of github.com/Dub1n/stelae) it says so and does nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${STELAE_DIR:-}" ]; then
  echo "stelae-render: skipped (set STELAE_DIR to a Stelae checkout to compare with its own renderer)"
  exit 0
fi
STELAE_DIR=$(cd "$STELAE_DIR" && pwd)
RUNS=${RUNS:-30}
SWIFT=${SWIFT:-swift}
PYTHON=${PYTHON:-python3}
SWIFT_RELEASE=${SWIFT_RELEASE:-$SWIFT build -c release --static-swift-stdlib}
make -s stelae-venv >&2
STELAE_PY="$PWD/.venv-stelae/bin/python"
$SWIFT_RELEASE --product render-manifest >&2
bin="$($SWIFT_RELEASE --show-bin-path)/render-manifest"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# One config home per side, identical: an env file naming the checkout, a catalog that hides
# the remote catalog's tools and pins the aggregator's proxy URL to the port in use.
for side in stelae ours; do
  home="$work/$side/home/.config/stelae"
  mkdir -p "$home/catalog"
  printf 'STELAE_CONFIG_HOME=%s\nSTELAE_DIR=%s\nPYTHON=%s\nPROXY_PORT=18555\n' "$home" "$STELAE_DIR" "$STELAE_PY" >"$home/.env"
  cat >"$home/catalog/smoke.json" <<'JSON'
{"toolAggregations": {"proxyURL": "http://127.0.0.1:18555"},
 "hideTools": [{"server": "public_mcp_catalog", "tool": "deep_search"}, {"server": "public_mcp_catalog", "tool": "list_servers"}]}
JSON
done

stelae_render() {
  local home="$work/stelae/home/.config/stelae"
  (cd "$STELAE_DIR" && env HOME="$work/stelae/home" STELAE_CONFIG_HOME="$home" STELAE_STATE_HOME="$home/.state" \
    "$STELAE_PY" scripts/process_tool_aggregations.py >/dev/null &&
    env HOME="$work/stelae/home" STELAE_CONFIG_HOME="$home" STELAE_STATE_HOME="$home/.state" \
    "$STELAE_PY" scripts/render_proxy_config.py --template config/proxy.template.json --output "$home/.state/proxy.json" \
      --env-file "$home/.env" --fallback-env .env.example >/dev/null)
}
our_render() {
  local home="$work/ours/home/.config/stelae"
  (cd "$STELAE_DIR" && env HOME="$work/ours/home" STELAE_CONFIG_HOME="$home" STELAE_STATE_HOME="$home/.state" \
    "$bin" render --template config/proxy.template.json --env-file "$home/.env" --fallback-env .env.example --quiet >/dev/null)
}

stelae_render
our_render
"$PYTHON" - "$work" <<'PY'
import json, sys
work = sys.argv[1]
def load(side, name):
    text = open(f"{work}/{side}/home/.config/stelae/.state/{name}").read()
    return json.loads(text.replace(f"{work}/{side}/", f"{work}/SIDE/"))
def visible(overrides):
    return {f"{s}::{t}" for s, entry in overrides["servers"].items() if entry.get("enabled") is not False
            for t, tool in entry.get("tools", {}).items() if tool.get("enabled") is not False}
if load("stelae", "proxy.json") != load("ours", "proxy.json"):
    sys.exit("stelae-render: the two proxy.json differ")
a, b = visible(load("stelae", "tool_overrides.json")), visible(load("ours", "tool_overrides.json"))
if a != b:
    sys.exit(f"stelae-render: visible tools differ: {sorted(a ^ b)}")
print(f"parity: same proxy.json, same {len(a)} visible tools")
PY

ms() { local start end; start=$(date +%s%N); "$@"; end=$(date +%s%N); echo $(((end - start) / 1000)); }
: >"$work/ours.times"
: >"$work/stelae.times"
for i in $(seq "$RUNS"); do
  if [ $((i % 2)) = 0 ]; then
    ms our_render >>"$work/ours.times"
    ms stelae_render >>"$work/stelae.times"
  else
    ms stelae_render >>"$work/stelae.times"
    ms our_render >>"$work/ours.times"
  fi
done
median() { sort -n "$1" | awk '{ v[NR] = $1 } END { printf "%.1f", v[int((NR + 1) / 2)] / 1000 }'; }
echo "render of the same Stelae checkout, $RUNS cold runs each: render-manifest $(median "$work/ours.times") ms," \
  "Stelae's make render-proxy $(median "$work/stelae.times") ms (median)"
"$PYTHON" bench/paired_ratio.py "$work/ours.times" "$work/stelae.times" 0.05
