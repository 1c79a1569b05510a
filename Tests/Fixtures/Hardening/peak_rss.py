#!/usr/bin/env python3
"""Runs a command and reports its peak resident set size, for the bounded-resource checks.

usage: peak_rss.py [--stdout FILE] -- COMMAND [ARG...]
Prints one JSON line: {"status": exit code or -signal, "max_rss_kb": peak RSS of the command
(wait4's ru_maxrss: the command, or the largest of its reaped descendants), "seconds": wall time}.
The command's stdout goes to FILE (default: discarded); stderr is inherited.
"""
import json
import os
import subprocess
import sys
import time


def main():
    args = sys.argv[1:]
    out = os.devnull
    if args[:1] == ["--stdout"]:
        out, args = args[1], args[2:]
    if args[:1] == ["--"]:
        args = args[1:]
    started = time.monotonic()
    with open(out, "wb") as sink:
        process = subprocess.Popen(args, stdout=sink, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    print(json.dumps({"status": code, "max_rss_kb": usage.ru_maxrss, "seconds": round(time.monotonic() - started, 3)}))


if __name__ == "__main__":
    main()
