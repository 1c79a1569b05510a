"""git-clean-check snapshot/verify against `git status --porcelain -uall` (driver of bench/git.sh).

For each size it builds a committed tree with `git fast-import` (a packed repository, as a clone
is) and `git reset --hard`, then three variants of the working tree:
  clean      nothing changed (an ignored build/ directory and *.log files are present in all variants)
  few        5 entries: 2 modified, 1 deleted, 1 staged new file, 1 untracked
  untracked  many untracked files (a tenth of the size), in new nested directories and beside
             tracked files
Before any timing it checks that `snapshot` lists exactly git's entries (porcelain v1 -z -uall)
and that `verify` passes. Then it runs RUNS rounds per command, each side a fresh process, the
order rotating from round to round; wall time (monotonic clock around spawn and wait) and CPU
(user+sys of the child, wait4) per run. Peak RSS is read by GNU time -f %M over RSS_RUNS runs.
COMPARE="name=/path/to/git-clean-check,..." adds other builds to the same rounds (before/after).
FLOOR, a build of bench/git_floor.c (one libgit2 status run and nothing else), is a further side
of every round, checked like the tool: its ratios to git and git-clean-check's ratios to it say
which part of the gap is libgit2's and which is git-clean-check's. FLOOR_ARGS="--workdir-only 2"
runs it as git-clean-check splits its status (index shared by two runs, no HEAD comparison; the
"few" tree's staged file is then missing, so with VARIANTS=clean,untracked).
Usage: git_bench.py TOOL WORKDIR SIZES RUNS [FLOOR]
"""

import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TARGET = 1.2
RSS_RUNS = int(os.environ.get("RSS_RUNS", "3"))
GIT_ENV = dict(os.environ, LC_ALL="C", GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@bench.invalid",
               GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@bench.invalid")
GIT_STATUS = ["git", "status", "--porcelain", "-uall"]


def git(repo, *args, stdin=None):
    return subprocess.run(["git", *args], cwd=repo, env=GIT_ENV, input=stdin, check=True,
                          stdout=subprocess.PIPE).stdout


def tracked_path(k):
    """File k of a tree of about 16 files per directory, three levels deep (like a source tree)."""
    d = k // 16
    return f"src{d // 256}/mod{(d // 16) % 16}/pkg{d % 16}/file{k % 16}.txt"


def content(k):
    rng = random.Random(k)
    return ("".join(f"line {i} {rng.getrandbits(40):x}\n" for i in range(rng.randint(1, 12)))).encode()


def build_repo(repo, size):
    """A repository with `size` committed files, packed by fast-import, checked out."""
    os.makedirs(repo)
    git(repo, "init", "-q", "-b", "main", ".")
    parts = []
    gitignore = b"*.log\nbuild/\n"
    parts.append(b"blob\nmark :1\ndata %d\n%s\n" % (len(gitignore), gitignore))
    for k in range(size - 1):
        data = content(k)
        parts.append(b"blob\nmark :%d\ndata %d\n%s\n" % (k + 2, len(data), data))
    message = b"bench tree"
    parts.append(b"commit refs/heads/main\ncommitter bench <bench@bench.invalid> 1700000000 +0000\n"
                 b"data %d\n%s\n" % (len(message), message))
    parts.append(b"M 100644 :1 .gitignore\n")
    for k in range(size - 1):
        parts.append(b"M 100644 :%d %s\n" % (k + 2, tracked_path(k).encode()))
    parts.append(b"\n")
    git(repo, "fast-import", "--quiet", stdin=b"".join(parts))
    git(repo, "reset", "-q", "--hard", "main")
    # Ignored files, present in every variant: neither tool may list or descend into them.
    os.makedirs(f"{repo}/build/obj")
    for i in range(200):
        with open(f"{repo}/build/obj/o{i}.o", "w") as f:
            f.write("o\n")
    for i in range(20):
        with open(f"{repo}/{os.path.dirname(tracked_path(i * 97 % (size - 1)))}/trace{i}.log", "w") as f:
            f.write("log\n")
    settle(repo)


def settle(repo):
    """Let git refresh the index once, after the clock moved on, so no entry is racily clean
    (an entry as new as the index must be re-read by both tools on every run)."""
    time.sleep(1.1)
    subprocess.run(GIT_STATUS, cwd=repo, env=GIT_ENV, stdout=subprocess.DEVNULL, check=True)


def make_few(repo, size):
    for k in (3, size // 2):
        with open(f"{repo}/{tracked_path(k)}", "ab") as f:
            f.write(b"changed\n")
    os.remove(f"{repo}/{tracked_path(size // 3)}")
    with open(f"{repo}/{os.path.dirname(tracked_path(7))}/staged.txt", "w") as f:
        f.write("staged\n")
    git(repo, "add", os.path.join(os.path.dirname(tracked_path(7)), "staged.txt"))
    with open(f"{repo}/{os.path.dirname(tracked_path(size - 2))}/new.txt", "w") as f:
        f.write("new\n")
    settle(repo)


def undo_few(repo, size):
    git(repo, "reset", "-q", "--hard", "main")
    os.remove(f"{repo}/{os.path.dirname(tracked_path(size - 2))}/new.txt")
    settle(repo)


def make_untracked(repo, size):
    count = max(size // 10, 1)
    for i in range(count):
        if i % 2:
            path = f"{repo}/{os.path.dirname(tracked_path(i * 7 % (size - 1)))}/untracked{i}.txt"
        else:
            path = f"{repo}/new{i // 512}/sub{(i // 32) % 16}/u{i}.txt"
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write("u\n")
    settle(repo)


def undo_untracked(repo, size):
    git(repo, "clean", "-q", "-f", "-d")  # not -x: the ignored files stay
    settle(repo)


def porcelain(repo):
    return parse_porcelain(git(repo, "status", "--porcelain=v1", "-z", "-uall"))


def parse_porcelain(out):
    fields = out.split(b"\0")
    lines = []
    i = 0
    while i < len(fields):
        field = fields[i]
        i += 1
        if not field:
            continue
        code, path = field[:2].decode(), field[3:].decode()
        if "R" in code or "C" in code:
            lines.append(f"{code} {fields[i].decode()} -> {path}")
            i += 1
        else:
            lines.append(f"{code} {path}")
    return sorted(lines)


def ours(entries):
    lines = []
    for e in entries:
        code = e["index"] + e["worktree"]
        lines.append(f"{code} {e['orig_path']} -> {e['path']}" if "orig_path" in e else f"{code} {e['path']}")
    return sorted(lines)


def check(tool, repo, baseline):
    """The tool must list git's entries exactly, and verify must pass, before anything is timed."""
    snap = subprocess.run([tool, "snapshot", repo, "--out", baseline, "--quiet"], stdout=subprocess.PIPE)
    if snap.returncode != 0:
        sys.exit(f"git bench: snapshot failed ({snap.returncode}): {snap.stdout[:400]!r}")
    entries = json.loads(snap.stdout)["entries"]
    expected = porcelain(repo)
    if ours(entries) != expected:
        sys.exit(f"git bench: {repo}: snapshot disagrees with git: "
                 f"{sorted(set(ours(entries)) ^ set(expected))[:10]}")
    verify = subprocess.run([tool, "verify", repo, "--baseline", baseline, "--quiet"], stdout=subprocess.DEVNULL)
    if verify.returncode != 0:
        sys.exit(f"git bench: verify against a fresh baseline exited {verify.returncode}")
    return len(entries)


def check_floor(floor, repo):
    """bench/git_floor.c must list git's entries too, or it would be timed doing less."""
    listed = parse_porcelain(subprocess.run([floor, repo, *FLOOR_ARGS], stdout=subprocess.PIPE, check=True).stdout)
    expected = porcelain(repo)
    if listed != expected:
        sys.exit(f"git bench: {repo}: libgit2 alone disagrees with git: {sorted(set(listed) ^ set(expected))[:10]}")


def run_once(argv):
    """Wall ms (monotonic, spawn to reap) and CPU ms (child user+sys, wait4) of one cold process."""
    start = time.perf_counter_ns()
    pid = os.posix_spawnp(argv[0], argv, GIT_ENV, file_actions=[(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)])
    _, status, usage = os.wait4(pid, 0)
    wall = (time.perf_counter_ns() - start) / 1e6
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"git bench: {' '.join(argv)} exited {code}")
    return wall, (usage.ru_utime + usage.ru_stime) * 1000


def peak_rss(argv, work):
    """Median of RSS_RUNS peak RSS readings (KiB) from GNU time -f %M."""
    readings = []
    out = os.path.join(work, "rss")
    for _ in range(RSS_RUNS):
        subprocess.run(["/usr/bin/time", "-f", "%M", "-o", out, *argv], env=GIT_ENV, stdout=subprocess.DEVNULL, check=True)
        readings.append(int(open(out).read().split()[-1]))
    return statistics.median(readings)


def paired(series, base, work, target):
    """bench/paired_ratio.py's line for two series of (wall, cpu) pairs."""
    files = []
    for name, values in (("a", series), ("b", base)):
        path = os.path.join(work, f"{name}.times")
        with open(path, "w") as f:
            f.write("".join(f"{w:.3f}\n" for w, _ in values))
        files.append(path)
    return subprocess.run([sys.executable, os.path.join(HERE, "paired_ratio.py"), *files, str(target)],
                          check=True, stdout=subprocess.PIPE, text=True).stdout.strip()


def measure(label, tools, repo, runs, work, rows, floor=None):
    """`tools`: (name, argv) of each git-clean-check build; each round runs every build, libgit2
    alone (`floor`, when given) and git once, in an order rotated from round to round, so all of
    them see the same load."""
    git_argv = ["git", "-C", repo, *GIT_STATUS[1:]]
    floor_argv = [floor, repo, *FLOOR_ARGS]
    floor_side = [(FLOOR, floor_argv)] if floor else []
    sides = [*tools, *floor_side, ("git", git_argv)]
    for _, argv in sides:  # one warm-up each (page cache, the index and packs in memory)
        run_once(argv)
    times = {name: [] for name, _ in sides}
    for i in range(runs):
        shift = i % len(sides)
        for name, argv in sides[shift:] + sides[:shift]:
            times[name].append(run_once(argv))
    git_t = times["git"]
    rss_git = peak_rss(git_argv, work)
    med = lambda values, k: statistics.median(v[k] for v in values)
    if floor:
        floor_t, rss_floor = times[FLOOR], peak_rss(floor_argv, work)
        floor_row = {
            "floor_wall": med(floor_t, 0), "floor_cpu": med(floor_t, 1), "rss_floor": rss_floor / 1024,
            "paired_floor": paired(floor_t, git_t, work, TARGET),
        }
    for position, (name, argv) in enumerate(tools):
        ours_t = times[name]
        ratio = paired(ours_t, git_t, work, TARGET)
        rss = peak_rss(argv, work)
        row = {
            "label": label, "tool": name,
            "ours_wall": med(ours_t, 0), "git_wall": med(git_t, 0), "ours_cpu": med(ours_t, 1), "git_cpu": med(git_t, 1),
            "cpu_ratio": med(ours_t, 1) / max(med(git_t, 1), 1e-9), "rss_ours": rss / 1024, "rss_git": rss_git / 1024,
            "paired": ratio,
        }
        rows.append(row)
        summary(label if len(tools) == 1 else f"{label} [{name}]", ours_t, git_t, rss, rss_git, ratio)
        if floor:
            row.update(floor_row, paired_vs_floor=paired(ours_t, floor_t, work, 1.0),
                       cpu_vs_floor=row["ours_cpu"] / max(floor_row["floor_cpu"], 1e-9),
                       rss_vs_floor=rss / rss_floor)
            print(f"  {'':<34} / {FLOOR}: cpu {row['cpu_vs_floor']:.2f}x, peak RSS {row['rss_vs_floor']:.2f}x; "
                  f"wall {row['paired_vs_floor']}", flush=True)
    if floor:
        summary(f"[{FLOOR}]", floor_t, git_t, rss_floor, rss_git, floor_row["paired_floor"])


def summary(title, side, git_t, rss, rss_git, ratio):
    """One side's medians against git's (times as (wall, cpu) pairs, RSS in KiB) and its paired ratio."""
    med = lambda values, k: statistics.median(v[k] for v in values)
    print(f"  {title:<34} wall p50 {med(side, 0):7.1f} ms vs git {med(git_t, 0):7.1f} ms | "
          f"cpu p50 {med(side, 1):6.1f} vs {med(git_t, 1):6.1f} ms ({med(side, 1) / max(med(git_t, 1), 1e-9):.2f}x) | "
          f"peak RSS {rss / 1024:5.1f} vs {rss_git / 1024:5.1f} MiB ({rss / rss_git:.2f}x)")
    print(f"  {'':<34} {ratio}", flush=True)


FLOOR_ARGS = os.environ.get("FLOOR_ARGS", "").split()
FLOOR = " ".join(["libgit2 alone", *FLOOR_ARGS])
VARIANTS = [("clean", None, None), ("few", make_few, undo_few), ("untracked", make_untracked, undo_untracked)]


def main():
    tool, work, sizes, runs = sys.argv[1], sys.argv[2], [int(s) for s in sys.argv[3].split(",")], int(sys.argv[4])
    floor = sys.argv[5] if len(sys.argv) > 5 else None
    only = set(os.environ.get("VARIANTS", "clean,few,untracked").split(","))
    # COMPARE="before=/path/to/git-clean-check,..." times other builds in the same rounds.
    builds = [("this", tool)] + [tuple(item.split("=", 1)) for item in os.environ.get("COMPARE", "").split(",") if item]
    rows = []
    for size in sizes:
        repo = os.path.join(work, f"tree-{size}")
        started = time.monotonic()
        if os.path.isdir(repo):
            shutil.rmtree(repo)
        build_repo(repo, size)
        print(f"{size} files (built in {time.monotonic() - started:.1f} s; {runs} rounds per line; paired ratio = "
              f"git-clean-check / git status --porcelain -uall, target <= {TARGET}; load {os.getloadavg()[0]:.2f})",
              flush=True)
        for name, make, undo in VARIANTS:
            if name not in only:
                continue
            if make:
                make(repo, size)
            baseline = os.path.join(work, "baseline.json")
            entries = 0
            for _, build in builds:
                entries = check(build, repo, baseline)
            check(tool, repo, baseline)  # the baseline verify reads is this build's
            if floor:
                check_floor(floor, repo)
            measure(f"{name} snapshot ({entries} entries)", [(b, [path, "snapshot", repo, "--quiet"]) for b, path in builds],
                    repo, runs, work, rows, floor)
            measure(f"{name} verify --baseline", [(b, [path, "verify", repo, "--baseline", baseline, "--quiet"])
                                                  for b, path in builds], repo, runs, work, rows, floor)
            if undo:
                undo(repo, size)
        for row in rows:
            row.setdefault("size", size)
        shutil.rmtree(repo)
    if os.environ.get("BENCH_JSON"):
        with open(os.environ["BENCH_JSON"], "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
