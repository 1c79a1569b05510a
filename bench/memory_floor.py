"""Driver of bench/memory.sh: one generated tree (git_bench.build_repo), clean and then with a tenth
of its size untracked (git_bench.make_untracked); on each, every side is checked to list git's
entries, then the median peak RSS of each is printed with its ratio to git's.
Usage: memory_floor.py WORKDIR SIZE TOOL C_FLOOR SWIFT_FLOOR SWIFT_FLOOR_PARSED"""

import os
import subprocess
import sys

import git_bench as bench


def main():
    work, size, tool, c_floor, swift_floor, parsed_floor = sys.argv[1:7]
    repo = os.path.join(work, f"tree-{size}")
    bench.build_repo(repo, int(size))
    split = ["--workdir-only", "2"]
    sides = [
        ("git status --porcelain -uall", ["git", "-C", repo, "status", "--porcelain", "-uall"]),
        ("libgit2 alone, one plain run (C)", [c_floor, repo]),
        ("libgit2 alone, split as git-clean-check splits (C)", [c_floor, repo, *split]),
        ("the same from Swift, standard library only", [swift_floor, repo, *split]),
        ("the same from Swift with ArgumentParser", [parsed_floor, repo, *split]),
        ("git-clean-check snapshot", [tool, "snapshot", repo]),
    ]
    for variant in ("clean", "untracked"):
        if variant == "untracked":
            bench.make_untracked(repo, int(size))
        expected = bench.porcelain(repo)
        for label, argv in sides[1:5]:
            listed = bench.parse_porcelain(subprocess.run(argv, stdout=subprocess.PIPE, check=True).stdout)
            if listed != expected:
                sys.exit(f"memory bench: {label} disagrees with git: {sorted(set(listed) ^ set(expected))[:10]}")
        bench.check(tool, repo, os.path.join(work, "baseline.json"))
        print(f"{int(size):,} files, {variant} ({len(expected):,} entries), median of {bench.RSS_RUNS} runs (goal: 2x git's)")
        git_kib = None
        for label, argv in sides:
            kib = bench.peak_rss(argv, work)
            git_kib = git_kib or kib
            print(f"  {kib / 1024:6.1f} MiB  {kib / git_kib:5.2f}x  {label}")


if __name__ == "__main__":
    main()
