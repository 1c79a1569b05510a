#!/usr/bin/env bash
# git-clean-check `snapshot` and `verify --baseline` against `git status --porcelain -uall` on
# generated repositories of 2,000, 20,000 and 100,000 committed files, each in three variants
# (clean; a few changes; many untracked files). Every side runs as a cold process, RUNS rounds per
# line in rotating order, after a check that both list the same entries. Per line: median wall and
# CPU of each side, the paired wall ratio (bench/paired_ratio.py: trimmed geometric mean of the
# per-round ratios with a bootstrap 95 % interval; target <= 1.2) and the peak RSS of each side
# (GNU time -f %M). A third side, libgit2 alone (bench/git_floor.c: one libgit2 status run and
# nothing else, built here with the C compiler against the system libgit2), runs in the same
# rounds: its ratios to git are libgit2's floor, git-clean-check's ratios to it are its own cost.
# The generator and the timing loop are bench/git_bench.py; what was tried is in bench/README.md,
# the figures in docs/git-clean-check.md (Performance).
#
#   bench/git.sh                               # RUNS=11 rounds, sizes 2000,20000,100000 (~6 min)
#   RUNS=31 GIT_SIZES=20000,100000 bench/git.sh
#   VARIANTS=clean,few GIT_TOOL=/path/to/git-clean-check bench/git.sh
#   COMPARE=before=/path/to/older/git-clean-check bench/git.sh   # another build in the same rounds
#   FLOOR_ARGS="--workdir-only 2" VARIANTS=clean,untracked bench/git.sh  # libgit2 split as git-clean-check splits
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-11}
GIT_SIZES=${GIT_SIZES:-2000,20000,100000}
SWIFT=${SWIFT:-swift}
PYTHON=${PYTHON:-python3}
SWIFT_RELEASE=${SWIFT_RELEASE:-$SWIFT build -c release --static-swift-stdlib}

command -v git >/dev/null || { echo "git bench: the git CLI is the baseline; install git" >&2; exit 3; }
if [ ! -x /usr/bin/time ]; then
  echo "git bench: installing GNU time (peak RSS)" >&2
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
fi

cc=${CC:-}
if [ -z "$cc" ]; then
  for candidate in cc clang gcc; do
    if command -v "$candidate" >/dev/null; then cc=$candidate; break; fi
  done
fi
if [ -z "$cc" ] || ! command -v "$cc" >/dev/null; then
  echo "git bench: no C compiler for bench/git_floor.c (cc, clang or gcc on PATH, or CC=...; the Swift toolchain ships clang)" >&2
  exit 3
fi
if ! libgit2_flags=$(pkg-config --cflags --libs libgit2); then
  echo "git bench: pkg-config finds no libgit2 for bench/git_floor.c (install pkg-config and libgit2-dev)" >&2
  exit 3
fi

tool=${GIT_TOOL:-}
if [ -z "$tool" ]; then
  $SWIFT_RELEASE --product git-clean-check >&2
  tool="$($SWIFT_RELEASE --show-bin-path)/git-clean-check"
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/git-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

# shellcheck disable=SC2086  # the flags are words
"$cc" -O2 -pthread -o "$work/git_floor" bench/git_floor.c $libgit2_flags

echo "git-clean-check vs git $(git --version | awk '{print $3}'), libgit2 $(pkg-config --modversion libgit2 2>/dev/null || echo '?'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
"$PYTHON" bench/git_bench.py "$tool" "$work" "$GIT_SIZES" "$RUNS" "$work/git_floor"
