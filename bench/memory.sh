#!/usr/bin/env bash
# Peak memory of git-clean-check `snapshot` against its floors on one generated, clean tree of
# MEMORY_SIZE committed files (20,000): git status --porcelain -uall; libgit2 alone
# (bench/git_floor.c) as one plain run and split as git-clean-check splits (--workdir-only 2);
# the same C status started from Swift with the standard library only, and with ArgumentParser
# as every tool has it (bench/swift_floor, static stdlib like the tools). Each side is checked to
# list git's entries, then its peak RSS (GNU time -f %M) is the median of RSS_RUNS (5) runs,
# printed with its ratio to git's (issue #18's goal: 2x). The reading is in bench/README.md.
#
#   bench/memory.sh
#   MEMORY_SIZE=100000 RSS_RUNS=7 bench/memory.sh
set -euo pipefail
cd "$(dirname "$0")/.."

SWIFT=${SWIFT:-swift}
PYTHON=${PYTHON:-python3}
export RSS_RUNS=${RSS_RUNS:-5}
SWIFT_RELEASE=${SWIFT_RELEASE:-$SWIFT build -c release --static-swift-stdlib}
[ -x /usr/bin/time ] || { echo "memory bench: GNU time is needed for peak RSS (apt-get install time)" >&2; exit 3; }
cc=${CC:-$(command -v cc || command -v clang || command -v gcc || true)}
[ -n "$cc" ] || { echo "memory bench: no C compiler for bench/git_floor.c" >&2; exit 3; }
libgit2_flags=$(pkg-config --cflags --libs libgit2) \
  || { echo "memory bench: pkg-config finds no libgit2 (install pkg-config and libgit2-dev)" >&2; exit 3; }

$SWIFT_RELEASE --product git-clean-check >&2
tool="$($SWIFT_RELEASE --show-bin-path)/git-clean-check"
$SWIFT_RELEASE --package-path bench/swift_floor >&2
floors="$($SWIFT_RELEASE --package-path bench/swift_floor --show-bin-path)"
work=$(mktemp -d "${TMPDIR:-/tmp}/memory-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
# shellcheck disable=SC2086  # the flags are words
"$cc" -O2 -pthread -o "$work/git_floor" bench/git_floor.c $libgit2_flags

echo "peak RSS, git $(git --version | awk '{print $3}'), libgit2 $(pkg-config --modversion libgit2), load $(cut -d' ' -f1-3 /proc/loadavg)"
"$PYTHON" bench/memory_floor.py "$work" "${MEMORY_SIZE:-20000}" "$tool" "$work/git_floor" \
  "$floors/swift-floor" "$floors/swift-floor-parsed"
