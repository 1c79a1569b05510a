#!/usr/bin/env python3
"""Command-line mutation test for the stelae-smoke tools (issue 7).

Takes valid invocations of each tool, mutates them (flags dropped, duplicated, garbled, swapped
or injected; values replaced by huge, negative, empty, unicode or non-UTF-8 strings; files
replaced by malformed, truncated, empty, binary, deeply nested, directory or missing ones) and
runs every mutant in a fresh copy of a small sandbox. Every run must hold:

  - no death by a signal, and no hang (a per-run wall-clock limit);
  - exit code in {0, 1, 2, 3, 124};
  - stdout is exactly one JSON document; `ok` is true exactly when the exit is 0; a non-zero
    exit carries a non-empty `error.code`;
  - a run that failed with exit 2 (usage / invalid input) wrote no file at all, and a failed
    render-manifest or git-clean-check run wrote no file (codex-stage keeps its transcripts on
    a failed stage by design, and probe-initialize's --tools-out keeps the last listing on
    `tools_not_ready`, as documented: that is evidence, not output);

Seeded and bounded: `--seed S --mutations N` replays exactly. Mutations never pass
port-preflight `--kill` (a mutant could signal a stranger's listener) and never let codex-stage
start a real Codex (`--codex`/CODEX_BIN point at Tests/Fixtures/Hardening/fake_codex.sh) or a
long `serve-model` (its `--max-seconds` is protected).

Usage: mutate_cli.py --bin .build/debug [--tool NAME]... [--mutations 10000] [--seed 1]
                     [--jobs 2] [--report FILE] [--keep-failures DIR]
Exit 0 when every run held, 1 otherwise (failures listed on stderr and in the report).
"""

import argparse
import concurrent.futures
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FAKE_CODEX = os.path.join(ROOT, "Tests/Fixtures/Hardening/fake_codex.sh")
DOCUMENTED_EXITS = {0, 1, 2, 3, 124}
RUN_LIMIT_SECONDS = 30
FORBIDDEN = {"--kill", "--force"}  # port-preflight only: never signal anything

# ---------------------------------------------------------------------------------------------
# Invocations: a list of units; a unit is [flag], [flag, value] or [positional], with the kind of
# its value ("file", "dir", "num", "str", "url", "out") and whether mutations may touch it.


def unit(*tokens, kind="str", protected=False):
    return {"tokens": list(tokens), "kind": kind, "protected": protected}


def templates(tool, sandbox_info):
    port = str(sandbox_info.get("free_port", 29999))
    if tool == "render-manifest":
        return [
            [unit("render"), unit("--template", "t.json", kind="file"), unit("--catalog", "core.json", kind="file"),
             unit("--scope", "default"), unit("--config-home", "home", kind="dir"), unit("--out-dir", "out", kind="out"),
             unit("--env-file", "stack.env", kind="file"), unit("--set", "STACK_PYTHON=python3"), unit("--quiet", kind="flag")],
            [unit("--template", "t.json", kind="file"), unit("--catalog", "core.json", kind="file"),
             unit("--bundle", "bundle", kind="dir"), unit("--config-home", "home", kind="dir"),
             unit("--state-home", "state", kind="out"), unit("--overlay-template", "overlay.json", kind="file"),
             unit("--check-only", kind="flag"), unit("--pretty", kind="flag")],
            [unit("drift"), unit("--manifest", "manifest.json", kind="file"), unit("--live", "live.json", kind="file")],
        ]
    if tool == "git-clean-check":
        return [
            [unit("snapshot"), unit("repo", kind="dir"), unit("--out", "snap.json", kind="out"), unit("--quiet", kind="flag")],
            [unit("verify"), unit("repo", kind="dir"), unit("--baseline", "baseline.json", kind="file")],
            [unit("clone"), unit("repo", kind="dir"), unit("dest", kind="out"), unit("--rev", "HEAD"), unit("--quiet", kind="flag")],
        ]
    if tool == "port-preflight":
        return [
            [unit("--port", port, kind="num"), unit("--quiet", kind="flag")],
            [unit("--random", kind="flag"), unit("--range", "20000-20200"), unit("--exclude", "20001,20002"),
             unit("--seed", "42", kind="num"), unit("--pretty", kind="flag")],
        ]
    if tool == "codex-stage":
        return [
            [unit("run"), unit("--stages", "stages.json", kind="file"), unit("--name", "s"), unit("--cd", "repo", kind="dir"),
             unit("--mcp-url", "http://127.0.0.1:9/mcp", kind="url"), unit("--codex", FAKE_CODEX, kind="file"),
             unit("--work", "work", kind="out"), unit("--timeout", "8", kind="num", protected=True),
             unit("--heartbeat-timeout", "4", kind="num"), unit("--grace", "1", kind="num"),
             unit("--script", "script.json", kind="file"), unit("--quiet", kind="flag")],
            [unit("check"), unit("--stages", "stages.json", kind="file"), unit("--name", "s"),
             unit("saved/s.jsonl", kind="file"), unit("--stderr", "saved/s.stderr.log", kind="file"),
             unit("--offered", "saved/s.offered.json", kind="file")],
            [unit("serve-model"), unit("--stages", "stages.json", kind="file"), unit("--name", "s"),
             unit("--script", "script.json", kind="file"), unit("--ready-file", "ready.txt", kind="out"),
             unit("--max-seconds", "0.3", kind="num", protected=True), unit("--quiet", kind="flag")],
        ]
    if tool == "probe-initialize":
        url = sandbox_info["url"]
        # --url and --deadline are protected: a mutant must not probe a stranger's port or wait long.
        return [
            [unit("--url", url, kind="url", protected=True), unit("--deadline", "2", kind="num", protected=True),
             unit("--attempt-timeout", "1", kind="num"), unit("--min-tools", "1", kind="num"),
             unit("--require-tool", "alpha"), unit("--tools-out", "tools.json", kind="out"),
             unit("--header", "Authorization: Bearer t0ken-value"), unit("--quiet", kind="flag")],
            [unit("--url", url, kind="url", protected=True), unit("--deadline", "1", kind="num", protected=True),
             unit("--wait-port", kind="flag"), unit("--initial-delay-ms", "10", kind="num"),
             unit("--max-delay-ms", "50", kind="num"), unit("--protocol-version", "2025-03-26"),
             unit("--max-body-bytes", "4096", kind="num"), unit("--pretty", kind="flag")],
        ]
    raise SystemExit(f"unknown tool {tool}")


FLAG_VOCABULARY = {
    "render-manifest": ["--template", "--catalog", "--bundle", "--set", "--scope", "--out-dir", "--state-home",
                        "--config-home", "--env-file", "--overlay-env", "--fallback-env", "--overlay-template",
                        "--check-only", "--allow-hardcoded-port", "--manifest", "--live", "--pretty", "--quiet"],
    "git-clean-check": ["--out", "--baseline", "--rev", "--depth", "--force", "--pretty", "--quiet"],
    "port-preflight": ["--port", "--random", "--range", "--exclude", "--seed", "--grace", "--grace-ms", "--pretty", "--quiet"],
    "probe-initialize": ["--attempt-timeout", "--initial-delay-ms", "--max-delay-ms", "--protocol-version", "--header",
                         "--min-tools", "--require-tool", "--tools-out", "--wait-port", "--max-body-bytes", "--pretty",
                         "--quiet"],
    "codex-stage": ["--stages", "--name", "--cd", "--mcp-url", "--mcp-server-name", "--work", "--transcripts",
                    "--heartbeat-timeout", "--grace", "--model", "--script", "--startup-timeout", "--tool-timeout",
                    "--stream-idle-timeout", "--stream-idle-timeout-ms", "--codex-arg", "--keep-home", "--stderr", "--offered",
                    "--ready-file", "--pretty", "--quiet"],
}

# ---------------------------------------------------------------------------------------------
# Sandboxes: built once per tool, copied afresh for every run.


def write(path, data, mode="w"):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, mode) as handle:
        handle.write(data)


def build_sandbox(tool, path, binaries):
    os.makedirs(path)
    info = {}
    if tool == "render-manifest":
        write(f"{path}/t.json", json.dumps({
            "mcpProxy": {"addr": ":{{PROXY_PORT}}", "baseURL": "{{PUBLIC_BASE_URL}}"},
            "mcpServers": {"stelae": {"type": "stdio", "command": "{{STACK_PYTHON}}", "args": ["server.py"]}}}))
        write(f"{path}/overlay.json", json.dumps({"mcpServers": {"stelae": {"args": ["other.py"]}}}))
        shutil.copy(f"{ROOT}/stack/catalog/core.json", f"{path}/core.json")
        write(f"{path}/bundle/catalog.json", json.dumps({"hideTools": [{"server": "fs", "tool": "read_file"}]}))
        write(f"{path}/stack.env", "STACK_PYTHON=python3\nWORKSPACE_DIR=${STATE_HOME}/workspace\n")
        write(f"{path}/manifest.json", json.dumps({"schemaVersion": 1, "tools": [{"name": "grep", "server": "stelae"}]}))
        write(f"{path}/live.json", json.dumps({"tools": [{"name": "grep"}]}))
        os.makedirs(f"{path}/home")
    elif tool == "git-clean-check":
        env = dict(os.environ, HOME=path, GIT_CONFIG_NOSYSTEM="1")
        git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
        subprocess.run(git + ["init", "-q", f"{path}/repo"], check=True, env=env)
        write(f"{path}/repo/a.txt", "a\n")
        subprocess.run(git + ["-C", f"{path}/repo", "add", "a.txt"], check=True, env=env)
        subprocess.run(git + ["-C", f"{path}/repo", "commit", "-q", "-m", "one"], check=True, env=env)
        out = subprocess.run([f"{binaries}/git-clean-check", "snapshot", f"{path}/repo"], capture_output=True, env=env)
        write(f"{path}/baseline.json", out.stdout.decode())
    elif tool == "port-preflight":
        import socket
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        info["free_port"] = s.getsockname()[1]
        s.close()
    elif tool == "probe-initialize":
        pass  # the server is started by run_tool
    elif tool == "codex-stage":
        write(f"{path}/stages.json", json.dumps({"stages": [
            {"name": "s", "prompt": "p", "expectations": [{"tool": "echo", "arguments": {"text": "hi"}}]}]}))
        write(f"{path}/script.json", json.dumps({"steps": [{"calls": [{"tool": "echo", "arguments": {"text": "hi"}}]}]}))
        os.makedirs(f"{path}/repo")
        write(f"{path}/saved/s.jsonl", "\n".join([
            '{"type":"thread.started","thread_id":"t"}',
            '{"type":"item.completed","item":{"id":"1","type":"mcp_tool_call","server":"stelae","tool":"echo",'
            '"arguments":{"text":"hi"},"status":"completed","result":{"content":[]}}}',
            '{"type":"turn.completed","usage":{}}']) + "\n")
        write(f"{path}/saved/s.stderr.log", "[codex-stage] end exited 0\n")
        write(f"{path}/saved/s.offered.json", json.dumps({"servers": {"stelae": ["echo"]}}))
    # Files any value may be replaced with.
    write(f"{path}/bad/malformed.json", '{"a": [1, 2,, }')
    write(f"{path}/bad/empty", "")
    write(f"{path}/bad/binary", bytes(random.Random(7).randrange(256) for _ in range(4096)), "wb")
    write(f"{path}/bad/nested.json", "[" * 5000 + "]" * 5000)
    write(f"{path}/bad/notobject.json", "[1, 2, 3]")
    write(f"{path}/bad/nul.json", '{"a": "\u0000"}')
    os.makedirs(f"{path}/bad/dir")
    return info


# ---------------------------------------------------------------------------------------------
# Mutations.

WEIRD_VALUES = [
    "", " ", "-", "--", "-1", "-999999999999", "0", "00", "1e309", "nan", "inf", "99999999999999999999999",
    "0x10", "1.5", "65536", "-0", "\u00fcn\u00ef\u00a9\u00f8d\u00e9\U0001F4A5", "\u202etxt.exe", "e\u0301\u0301\u0301",
    "a=b=c", "=", "KEY=", "../escape", "./", "~", "$HOME", "${UNDEFINED}", "{{PROXY_PORT}}", "%s%n%x",
    "http://", "ftp://x", "http://[::1", "file:///nonexistent", "'; rm -rf / #", "\t\n",
]


def weird_value(rng, run_index):
    choice = rng.randrange(6)
    if choice == 0:
        return "A" * rng.choice([1024, 65536, 120000])
    if choice == 1:
        # Not UTF-8: argv is bytes; surrogateescape carries the raw bytes through.
        raw = bytes(rng.randrange(1, 256) for _ in range(rng.randrange(1, 40)))
        return raw.decode("utf-8", "surrogateescape")
    if choice == 2:
        return str(rng.choice([-1, -2**31, -2**63, 2**31, 2**63, 2**64, 10**30]))
    value = rng.choice(WEIRD_VALUES)
    return value.replace("../escape", f"../escape-{run_index}")


BAD_FILES = ["bad/malformed.json", "bad/empty", "bad/binary", "bad/nested.json", "bad/notobject.json", "bad/nul.json",
             "bad/dir", "bad/missing.json", "missing-dir/x", "TRUNCATED"]


def garble(rng, flag):
    if not flag.startswith("-"):
        return flag + rng.choice(["x", "", "/"])
    op = rng.randrange(6)
    body = flag.lstrip("-")
    if op == 0 and body:
        i = rng.randrange(len(body))
        return "--" + body[:i] + body[i + 1:]
    if op == 1:
        i = rng.randrange(len(body) + 1)
        return "--" + body[:i] + rng.choice("abz_-=") + body[i:]
    if op == 2:
        return "-" + body
    if op == 3:
        return "--" + body.upper()
    if op == 4:
        return "---" + body
    return flag + "="


def mutate(rng, invocation, tool, run_index, truncations):
    units = [dict(u, tokens=list(u["tokens"])) for u in invocation]
    extra_tokens = []
    for _ in range(rng.choice([1, 1, 2, 3])):
        mutable = [i for i, u in enumerate(units) if not u["protected"]]
        if not mutable:
            break
        op = rng.randrange(9)
        i = rng.choice(mutable)
        target = units[i]
        if op == 0:  # drop a unit
            del units[i]
        elif op == 1:  # duplicate a unit
            units.insert(rng.randrange(len(units) + 1), dict(target, tokens=list(target["tokens"])))
        elif op == 2:  # garble the flag (or positional)
            target["tokens"][0] = garble(rng, target["tokens"][0])
        elif op == 3 and len(target["tokens"]) == 2:  # --flag=value
            target["tokens"] = [f"{target['tokens'][0]}={target['tokens'][1]}"]
        elif op in (4, 5):  # replace the value
            position = len(target["tokens"]) - 1
            if target["kind"] in ("file", "dir") and rng.random() < 0.7:
                bad = rng.choice(BAD_FILES)
                if bad == "TRUNCATED":
                    original = target["tokens"][position]
                    bad = f"trunc-{run_index}.json"
                    truncations.append((original, bad, rng.random()))
                target["tokens"][position] = bad
            else:
                target["tokens"][position] = weird_value(rng, run_index)
        elif op == 6:  # drop only the value of a flag, so the next token becomes its value
            if len(target["tokens"]) == 2:
                target["tokens"] = target["tokens"][:1]
        elif op == 7 and len(units) > 1:  # swap two units
            j = rng.randrange(len(units))
            if not units[j]["protected"]:
                units[i], units[j] = units[j], units[i]
        else:  # inject a flag of the tool with a weird value
            flag = rng.choice(FLAG_VOCABULARY[tool])
            extra = [flag] if rng.random() < 0.4 else [flag, weird_value(rng, run_index)]
            units.insert(rng.randrange(len(units) + 1), unit(*extra))
    tokens = [t for u in units for t in u["tokens"]] + extra_tokens
    return tokens


# ---------------------------------------------------------------------------------------------
# Running and judging.


def tree(path):
    """Regular files under path (relative) → (size, mtime_ns)."""
    files = {}
    for directory, dirnames, filenames in os.walk(path):
        for name in filenames:
            full = os.path.join(directory, name)
            try:
                st = os.lstat(full)
            except FileNotFoundError:
                continue
            files[os.path.relpath(full, path)] = (st.st_size, st.st_mtime_ns)
    return files


def judge(tool, args, status, stdout, before, after, elapsed):
    problems = []
    if status < 0:
        problems.append(f"killed by signal {-status}")
        return problems
    if status == -999:
        problems.append(f"hang: still running after {RUN_LIMIT_SECONDS}s")
        return problems
    if status not in DOCUMENTED_EXITS:
        problems.append(f"undocumented exit {status}")
    text = stdout.decode("utf-8", "replace")
    document = None
    try:
        document, end = json.JSONDecoder().raw_decode(text.lstrip())
        if text.lstrip()[end:].strip():
            problems.append("stdout holds more than one JSON document")
    except ValueError as error:
        help_asked = any(a in ("-h", "--help", "help", "--version") for a in args)
        if not (help_asked and status == 0):
            problems.append(f"stdout is not one JSON document ({error}): {text[:200]!r}")
    if isinstance(document, dict):
        if (document.get("ok") is True) != (status == 0):
            problems.append(f"ok={document.get('ok')} with exit {status}")
        if status != 0:
            code = (document.get("error") or {}).get("code") if isinstance(document.get("error"), dict) else None
            if not isinstance(code, str) or not code:
                problems.append("non-zero exit without error.code")
    elif document is not None:
        problems.append("stdout JSON is not an object")
    if status != 0:
        written = sorted(p for p, meta in after.items() if before.get(p) != meta)
        if tool == "codex-stage" and status != 2:
            written = []  # transcripts of a failed stage are evidence
        code = (document.get("error") or {}).get("code") if isinstance(document, dict) and isinstance(document.get("error"), dict) else None
        if tool == "probe-initialize" and status == 1 and code == "tools_not_ready":
            written = []  # documented: --tools-out keeps the last complete listing as evidence
        if written:
            problems.append(f"failed run (exit {status}) wrote {written[:5]}")
    return problems


def run_one(tool, binaries, pristine, info, workspace, seed, index):
    rng = random.Random(f"{seed}:{tool}:{index}")
    invocation = rng.choice(templates(tool, info))
    truncations = []
    args = mutate(rng, invocation, tool, index, truncations)
    if tool == "port-preflight" and any(a.split("=")[0] in FORBIDDEN for a in args):
        return {"index": index, "skipped": True}
    sandbox = os.path.join(workspace, f"run-{index}")
    shutil.copytree(pristine, sandbox, symlinks=True)
    for original, target, fraction in truncations:
        source = os.path.join(sandbox, original)
        data = open(source, "rb").read() if os.path.isfile(source) else b'{"truncated": '
        write(os.path.join(sandbox, target), data[: int(len(data) * fraction)], "wb")
    before = tree(sandbox)
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": sandbox, "LANG": "C.UTF-8",
        "CODEX_BIN": FAKE_CODEX, "FAKE_CODEX_MODE": "ok", "STELAE_SMOKE_VENV": "/nonexistent",
        "TMPDIR": sandbox,
    }
    # Under `make sanitize` the tools are sanitized builds: keep their settings.
    env.update({k: v for k, v in os.environ.items() if k in ("ASAN_OPTIONS", "LSAN_OPTIONS", "TSAN_OPTIONS")})
    argv = [os.path.join(binaries, tool)] + [os.fsencode(a) for a in args]
    started = time.monotonic()
    process = subprocess.Popen(argv, cwd=sandbox, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, start_new_session=True)
    try:
        stdout, _ = process.communicate(timeout=RUN_LIMIT_SECONDS)
        status = process.returncode
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, _ = process.communicate()
        status = -999
    elapsed = time.monotonic() - started
    after = tree(sandbox)
    problems = judge(tool, args, status, stdout, before, after, elapsed)
    result = {"index": index, "status": status, "elapsed": elapsed, "problems": problems,
              "args": [a.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")[:300] for a in args]}
    if problems:
        result["stdout"] = stdout.decode("utf-8", "replace")[:1000]
    shutil.rmtree(sandbox, ignore_errors=True)
    return result


def start_probe_server():
    """The probe fixture's conforming MCP mode on 127.0.0.1 (Tests/Fixtures/ProbeKit/fault_server.py)."""
    server = subprocess.Popen([sys.executable, f"{ROOT}/Tests/Fixtures/ProbeKit/fault_server.py", "--mode", "mcp"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True)
    line = server.stdout.readline().decode()
    while line and not line.startswith("READY"):
        line = server.stdout.readline().decode()
    # Drain its request log so it never blocks on a full pipe.
    threading.Thread(target=lambda: [None for _ in server.stdout], daemon=True).start()
    return server, f"http://127.0.0.1:{int(line.split()[1])}/mcp"


def run_tool(tool, binaries, mutations, seed, jobs, workspace):
    pristine = os.path.join(workspace, f"pristine-{tool}")
    info = build_sandbox(tool, pristine, binaries)
    server = None
    if tool == "probe-initialize":
        server, info["url"] = start_probe_server()
    try:
        return run_mutants(tool, binaries, mutations, seed, jobs, workspace, pristine, info)
    finally:
        if server:
            server.terminate()
            server.wait()


def run_mutants(tool, binaries, mutations, seed, jobs, workspace, pristine, info):
    results = []
    lock = threading.Lock()
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(run_one, tool, binaries, pristine, info, workspace, seed, i) for i in range(mutations)]
        for done, future in enumerate(concurrent.futures.as_completed(futures), 1):
            result = future.result()
            with lock:
                results.append(result)
            if result.get("problems"):
                print(f"FAIL {tool} #{result['index']}: {result['problems']} args={result['args']}", file=sys.stderr)
            if done % 1000 == 0:
                print(f"{tool}: {done}/{mutations}", file=sys.stderr)
    ran = [r for r in results if not r.get("skipped")]
    codes = {}
    for r in ran:
        codes[str(r["status"])] = codes.get(str(r["status"]), 0) + 1
    return {
        "tool": tool, "mutations": mutations, "ran": len(ran), "skipped": len(results) - len(ran),
        "failures": [r for r in ran if r["problems"]], "exit_codes": dict(sorted(codes.items())),
        "worst_seconds": round(max((r["elapsed"] for r in ran), default=0), 2),
        "wall_seconds": round(time.monotonic() - started, 1),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True, help="directory of the built tools")
    parser.add_argument("--tool", action="append", help="tool to mutate (repeatable; default: every built tool)")
    parser.add_argument("--mutations", type=int, default=10000)
    parser.add_argument("--seed", default="1")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--report", help="write the JSON summary here")
    args = parser.parse_args()
    binaries = os.path.abspath(args.bin)
    tools = args.tool or [t for t in ["render-manifest", "git-clean-check", "port-preflight", "codex-stage",
                                      "probe-initialize"]
                          if os.access(os.path.join(binaries, t), os.X_OK)]
    workspace = tempfile.mkdtemp(prefix="mutate-cli-")
    summaries = []
    try:
        for tool in tools:
            summary = run_tool(tool, binaries, args.mutations, args.seed, args.jobs, workspace)
            summaries.append(summary)
            print(f"{tool}: {summary['ran']} runs ({summary['skipped']} skipped), {len(summary['failures'])} failures, "
                  f"exits {summary['exit_codes']}, worst {summary['worst_seconds']}s, {summary['wall_seconds']}s wall",
                  file=sys.stderr)
    finally:
        shutil.rmtree(workspace, ignore_errors=True)
    report = {"seed": args.seed, "mutations_per_tool": args.mutations, "tools": summaries}
    text = json.dumps(report, indent=2, ensure_ascii=False)
    if args.report:
        write(args.report, text + "\n")
    print(json.dumps({"seed": args.seed, "tools": [{k: v for k, v in s.items() if k != "failures"} | {
        "failures": len(s["failures"])} for s in summaries]}))
    return 1 if any(s["failures"] for s in summaries) else 0


if __name__ == "__main__":
    sys.exit(main())
