#!/usr/bin/env python3
"""`make reliability`: the fault matrix and the bounded-resource measurements of issue 7.

Runs codex-stage (the real pinned Codex CLI, the scripted model, the FastMCP fixture server of
Tests/Fixtures/CodexKit) against every Codex fault REPEAT times, and the hostile-size cases
(a Codex flooding 1 GB of stdout, JSON nested 10,000 deep, 50 MB strings) once each with their
peak RSS, and writes docs/reliability.md. Every row must hold: the exit code and error code are
the expected ones, within the deadline, and the transcript is kept where one is expected.

usage: reliability.py --bin DIR --python VENV_PYTHON --codex CODEX [--repeat 3] [--out docs/reliability.md]
                      [--flood-bytes 1073741824] [--big-string-bytes 52428800]
Exit 0 when every row held, 1 otherwise.
"""

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HARDENING = f"{ROOT}/Tests/Fixtures/Hardening"
FIXTURE = f"{ROOT}/Tests/Fixtures/CodexKit/mcp_fixture.py"

STAGES = {"stages": [
    {"name": "echo", "prompt": "Call echo.", "expectations": [{"tool": "echo", "arguments": {"text": "a"}}]},
    {"name": "raises", "prompt": "Call explode.", "expectations": [{"tool": "explode", "arguments": {"text": "x"}}]},
    {"name": "bad-arguments", "prompt": "Call count.", "expectations": [{"tool": "count", "arguments": {"n": "abc"}}]},
    {"name": "unpublished", "prompt": "Call it.", "expectations": [{"tool": "no_such_tool"}]},
    {"name": "crash", "prompt": "Call crash.", "expectations": [{"tool": "crash"}]},
    {"name": "slow", "prompt": "Call slow.", "expectations": [{"tool": "slow", "arguments": {"seconds": 60}}]},
    {"name": "empty", "prompt": "Nothing.", "expectations": []},
]}
ECHO_THEN_HANG = {"steps": [{"calls": [{"tool": "echo", "arguments": {"text": "a"}}]}, {"fault": "hang_before_headers"}]}


class Fixture:
    """The FastMCP fixture server on 127.0.0.1, started and stopped by us."""

    def __init__(self, python):
        self.process = subprocess.Popen([python, FIXTURE], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                         env=dict(os.environ, PYTHONUNBUFFERED="1"), start_new_session=True)
        line = self.process.stdout.readline().decode()
        if not line.startswith("READY"):
            raise SystemExit(f"fixture did not start: {line!r}")
        self.url = f"http://127.0.0.1:{int(line.split()[1])}/mcp"

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def line_count(path):
    try:
        with open(path, "rb") as handle:
            return sum(1 for _ in handle)
    except FileNotFoundError:
        return -1


def codex_fault(name, stage, expect_exit, expect_code, deadline, transcript_lines=1, script=None, extra=(),
                server="live", kill_after_call=False):
    return dict(name=name, stage=stage, expect_exit=expect_exit, expect_code=expect_code, deadline=deadline,
                transcript_lines=transcript_lines, script=script, extra=list(extra), server=server,
                kill_after_call=kill_after_call)


FAULTS = [
    codex_fault("tool error (raises)", "raises", 1, "tool_failed", 60),
    codex_fault("bad arguments", "bad-arguments", 1, "tool_failed", 60),
    codex_fault("approval blocked", "echo", 1, "tool_failed", 60,
                extra=["--codex-arg=-c", "--codex-arg=mcp_servers.stelae.default_tools_approval_mode=\"prompt\""]),
    codex_fault("unknown tool", "unpublished", 1, "tool_missing", 60),
    codex_fault("required server down", "echo", 1, "mcp_startup_failed", 60, transcript_lines=0, server="down"),
    codex_fault("server killed mid-call", "crash", 1, "tool_failed", 60, server="fresh"),
    codex_fault("tool timeout (1 s)", "slow", 1, "tool_failed", 60, extra=["--tool-timeout", "1"]),
    codex_fault("model hangs before headers", "echo", 124, "heartbeat_timeout", 6 + 2, script=ECHO_THEN_HANG,
                extra=["--heartbeat-timeout", "6", "--grace", "2"]),
    codex_fault("model answers 500", "echo", 1, "turn_failed", 60,
                script={"steps": [{"fault": "http_error", "status": 500, "body": "{\"error\":{\"message\":\"scripted 500\"}}"}]}),
    codex_fault("wall-clock timeout", "echo", 124, "timeout", 3 + 2, transcript_lines=0,
                script={"steps": [{"fault": "hang_before_headers"}]},
                extra=["--timeout", "3", "--heartbeat-timeout", "0", "--grace", "2"]),
    codex_fault("codex SIGKILL", "echo", 1, "incomplete_transcript", 60, script=ECHO_THEN_HANG, kill_after_call=True),
]


def run_fault(fault, binaries, python, codex, work, live_url):
    os.makedirs(work, exist_ok=True)
    with open(f"{work}/stages.json", "w") as handle:
        json.dump(STAGES, handle)
    os.makedirs(f"{work}/repo", exist_ok=True)
    fresh = None
    if fault["server"] == "down":
        url = f"http://127.0.0.1:{closed_port()}/mcp"
    elif fault["server"] == "fresh":
        fresh = Fixture(python)
        url = fresh.url
    else:
        url = live_url
    codex_path = codex
    pid_file = f"{work}/codex.pid"
    if fault["kill_after_call"]:
        codex_path = f"{work}/codex-pid.sh"
        with open(codex_path, "w") as handle:
            handle.write(f"#!/bin/bash\necho $$ > '{pid_file}'\nexec '{codex}' \"$@\"\n")
        os.chmod(codex_path, 0o755)
    arguments = [f"{binaries}/codex-stage", "run", "--stages", "stages.json", "--name", fault["stage"], "--cd", "repo",
                 "--mcp-url", url, "--codex", codex_path, "--work", "work", "--transcripts", "transcripts",
                 "--timeout", "60", "--heartbeat-timeout", "30", "--grace", "2", "--quiet"]
    if fault["script"]:
        with open(f"{work}/script.json", "w") as handle:
            json.dump(fault["script"], handle)
        arguments += ["--script", "script.json"]
    arguments += fault["extra"]
    started = time.monotonic()
    process = subprocess.Popen(arguments, cwd=work, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    if fault["kill_after_call"]:
        transcript = f"{work}/transcripts/{fault['stage']}.jsonl"
        for _ in range(1200):  # bounded: 60 s
            try:
                done = '"item.completed"' in open(transcript).read()
                pid = int(open(pid_file).read().strip())
            except (FileNotFoundError, ValueError):
                done = False
            if done:
                os.kill(pid, signal.SIGKILL)
                break
            time.sleep(0.05)
    stdout, _ = process.communicate(timeout=180)
    seconds = time.monotonic() - started
    if fresh:
        fresh.stop()
    try:
        answer = json.loads(stdout)
    except ValueError:
        answer = {}
    code = (answer.get("error") or {}).get("code")
    transcript = answer.get("transcript") or f"{work}/transcripts/{fault['stage']}.jsonl"
    lines = line_count(transcript)
    kept = os.path.exists(transcript) and os.path.exists(answer.get("stderr_log") or f"{transcript[:-6]}.stderr.log")
    # `check` on the saved files must reach the same verdict.
    check = subprocess.run([f"{binaries}/codex-stage", "check", "--stages", "stages.json", "--name", fault["stage"], transcript],
                           cwd=work, capture_output=True)
    try:
        check_code = (json.loads(check.stdout).get("error") or {}).get("code")
    except ValueError:
        check_code = "not-json"
    message = (answer.get("error") or {}).get("message", "")
    return dict(exit=process.returncode, code=code, seconds=seconds, lines=lines, kept=kept, check_code=check_code,
                message=message)


PROBE_FAULTS = [
    # name, fault_server arguments, probe arguments, expected exit, expected code, deadline
    ("refused", ["--mode", "refuse"], ["--deadline", "3"], 1, "connection_refused", 3),
    ("late start (listens after 1.5 s)", ["--mode", "mcp", "--listen-delay", "1.5"], ["--deadline", "6"], 0, None, 6),
    ("500", ["--mode", "status", "--status", "500"], ["--deadline", "3"], 1, "http_status", 3),
    ("502 twice, then ok", ["--mode", "flaky502"], ["--deadline", "6"], 0, None, 6),
    ("406", ["--mode", "status406"], ["--deadline", "3"], 1, "not_acceptable", 3),
    ("garbage (HTML page)", ["--mode", "garbage"], ["--deadline", "3"], 1, "invalid_body", 3),
    ("SSE without data", ["--mode", "sse_no_data"], ["--deadline", "3"], 1, "invalid_body", 3),
    ("slow first byte (2 s > --attempt-timeout 1)", ["--mode", "slow", "--delay", "2"], ["--deadline", "3", "--attempt-timeout", "1"], 1, "timeout", 3),
    ("slow first byte (0.5 s < --attempt-timeout 2)", ["--mode", "slow", "--delay", "0.5"], ["--deadline", "6", "--attempt-timeout", "2"], 0, None, 6),
    ("hang", ["--mode", "hang"], ["--deadline", "3", "--attempt-timeout", "1"], 1, "timeout", 3),
    ("close mid-body", ["--mode", "mid_body"], ["--deadline", "3"], 1, "connection_reset", 3),
    ("JSON-RPC error", ["--mode", "jsonrpc_error"], ["--deadline", "3"], 1, "jsonrpc_error", 3),
    ("307 redirect", ["--mode", "redirect"], ["--deadline", "3"], 0, None, 3),
    ("100 MB answer", ["--mode", "huge"], ["--deadline", "3"], 1, "invalid_body", 3),
]


def start_fault_server(arguments):
    server = subprocess.Popen([sys.executable, f"{ROOT}/Tests/Fixtures/ProbeKit/fault_server.py"] + arguments,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True)
    port = None
    while True:
        line = server.stdout.readline().decode()
        if not line:
            raise SystemExit(f"fault server {arguments} exited")
        if line.startswith(("READY", "PORT")):
            port = int(line.split()[1])
            break
    import threading
    threading.Thread(target=lambda: [None for _ in server.stdout], daemon=True).start()
    return server, port


def run_probe_faults(binaries, repeat, work):
    rows = []
    for name, server_args, probe_args, expect_exit, expect_code, deadline in PROBE_FAULTS:
        runs = []
        for _ in range(repeat):
            server, port = start_fault_server(server_args)
            try:
                report, answer = measure([f"{binaries}/probe-initialize", "--url", f"http://127.0.0.1:{port}/mcp", "--quiet"]
                                         + probe_args, work)
            finally:
                server.terminate()
                server.wait()
            previews = [len(a.get("body_preview") or "") for a in answer.get("attempts", [])]
            runs.append(dict(exit=report["status"], code=(answer.get("error") or {}).get("code"), seconds=report["seconds"],
                             rss=report["max_rss_kb"], attempts=len(answer.get("attempts", [])),
                             preview=max(previews, default=0), message=(answer.get("error") or {}).get("message", "ready")))
        worst = max(r["seconds"] for r in runs)
        holds = all(r["exit"] == expect_exit and r["code"] == expect_code for r in runs) and worst <= deadline + 1.5
        rows.append(dict(name=name, expect=f"{expect_exit} `{expect_code or 'ok'}`",
                         observed=sorted({f"{r['exit']} {r['code'] or 'ok'}" for r in runs}), worst=worst, deadline=deadline,
                         attempts="/".join(str(r["attempts"]) for r in runs), rss=max(r["rss"] for r in runs),
                         preview=max(r["preview"] for r in runs), holds=holds, message=runs[0]["message"]))
        print(f"probe {name}: {rows[-1]['observed']} worst {worst:.1f}s holds={holds}", file=sys.stderr)
    return rows


def measure(arguments, cwd, env=None):
    out = f"{cwd}/answer.json"
    run = subprocess.run([sys.executable, f"{HARDENING}/peak_rss.py", "--stdout", out, "--"] + arguments,
                         cwd=cwd, env=dict(os.environ, **(env or {})), capture_output=True, text=True)
    report = json.loads(run.stdout)
    try:
        answer = json.load(open(out))
    except ValueError:
        answer = {}
    return report, answer


def resources(binaries, work, flood_bytes, big_bytes):
    rows = []
    os.makedirs(f"{work}/repo", exist_ok=True)
    with open(f"{work}/stages.json", "w") as handle:
        json.dump({"stages": [{"name": "s", "prompt": "p", "expectations": []}]}, handle)
    lines = flood_bytes // 1024
    for label, one_line in [("1024-byte lines", False), ("one line, no newline", True)]:
        env = {"FAKE_CODEX_MODE": "flood", "FAKE_CODEX_LINES": str(lines), "FAKE_CODEX_LINE_BYTES": "1024",
               "FAKE_CODEX_NO_NEWLINE": "1" if one_line else "0"}
        report, answer = measure([f"{binaries}/codex-stage", "run", "--stages", "stages.json", "--name", "s", "--cd", "repo",
                                  "--mcp-url", "http://127.0.0.1:9/mcp", "--codex", f"{HARDENING}/fake_codex.sh",
                                  "--work", "flood", "--timeout", "600", "--quiet"], work, env)
        completed = len('{"type":"turn.completed","usage":{"input_tokens":1,"output_tokens":1}}') + 1
        expected = (lines * 1023 + 1 if one_line else lines * 1024) + completed
        transcript = f"{work}/flood/transcripts/s.jsonl"
        size = os.path.getsize(transcript) if os.path.exists(transcript) else -1
        rows.append(dict(case=f"codex-stage: Codex floods {flood_bytes / 2**30:.2f} GiB of stdout ({label})",
                         exit=report["status"], code=(answer.get("error") or {}).get("code") or "ok",
                         rss=report["max_rss_kb"], seconds=report["seconds"],
                         detail=f"transcript {size:,} bytes, expected {expected:,}: {'complete' if size == expected else 'INCOMPLETE'}",
                         holds=report["status"] == 0 and size == expected))
        os.remove(transcript)
    # render-manifest: hostile JSON.
    deep_array = "[" * 10000 + "]" * 10000
    deep_object = '{"a":' * 10000 + "1" + "}" * 10000
    files = {
        "t.json": '{"mcpProxy": {"addr": ":{{PROXY_PORT}}"}}',
        "deep-template.json": '{"mcpProxy": {"addr": ":{{PROXY_PORT}}"}, "x": ' + deep_array + "}",
        "deep-catalog.json": '{"toolOverrides": ' + deep_object + "}",
        "manifest.json": '{"schemaVersion": 1, "tools": [{"name": "grep", "server": "stelae"}]}',
        "deep-live.json": '{"tools": ' + deep_array + "}",
        "big-template.json": json.dumps({"mcpProxy": {"addr": ":{{PROXY_PORT}}"}, "x": "b" * big_bytes}),
        "big-catalog.json": json.dumps({"toolOverrides": {"schemaVersion": 2, "servers": {"s": {"tools": {
            "t": {"description": "d" * big_bytes}}}}}}),
        "big.env": "BIG=" + "e" * big_bytes + "\n",
        "chain.env": "".join(f"A{i}=${{A{i + 1}}}\n" for i in range(200000)) + "A200000=end\n",
        "bomb.env": "".join(f"B{i}=${{B{i + 1}}}${{B{i + 1}}}\n" for i in range(40)) + "B40=xx\n",
    }
    for name, text in files.items():
        with open(f"{work}/{name}", "w") as handle:
            handle.write(text)
    render = [f"{binaries}/render-manifest", "render", "--scope", "default", "--config-home", "home", "--quiet"]
    mib = big_bytes / 2**20
    cases = [
        ("render-manifest: template nested 10,000 deep", render + ["--template", "deep-template.json", "--out-dir", "o1"], 2, "json_too_deep"),
        ("render-manifest: catalog nested 10,000 deep", render + ["--template", "t.json", "--catalog", "deep-catalog.json", "--out-dir", "o2"], 2, "json_too_deep"),
        ("render-manifest drift: live list nested 10,000 deep", [f"{binaries}/render-manifest", "drift", "--manifest", "manifest.json", "--live", "deep-live.json"], 2, "json_too_deep"),
        (f"render-manifest: {mib:.0f} MiB string in the template", render + ["--template", "big-template.json", "--out-dir", "o3"], 0, "ok"),
        (f"render-manifest: {mib:.0f} MiB description in a catalog", render + ["--template", "t.json", "--catalog", "big-catalog.json", "--out-dir", "o4"], 0, "ok"),
        (f"render-manifest: {mib:.0f} MiB value in an env file", render + ["--template", "t.json", "--env-file", "big.env", "--out-dir", "o5"], 0, "ok"),
        ("render-manifest: env file with a 200,000-long ${…} chain", render + ["--template", "t.json", "--env-file", "chain.env", "--out-dir", "o6"], 2, "variable_too_deep"),
        ("render-manifest: env file doubling 40 times (2^41 bytes)", render + ["--template", "t.json", "--env-file", "bomb.env", "--out-dir", "o7"], 2, "variable_too_large"),
    ]
    for label, arguments, expect_exit, expect_code in cases:
        report, answer = measure(arguments, work)
        code = (answer.get("error") or {}).get("code") or "ok"
        rows.append(dict(case=label, exit=report["status"], code=code, rss=report["max_rss_kb"], seconds=report["seconds"],
                         detail=(answer.get("error") or {}).get("message", "rendered")[:120],
                         holds=report["status"] == expect_exit and code == expect_code))
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--python", required=True)
    parser.add_argument("--codex", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", default=f"{ROOT}/docs/reliability.md")
    parser.add_argument("--flood-bytes", type=int, default=2**30)
    parser.add_argument("--big-string-bytes", type=int, default=50 * 2**20)
    parser.add_argument("--skip-resources", action="store_true")
    parser.add_argument("--skip-faults", action="store_true")
    args = parser.parse_args()
    binaries = os.path.abspath(args.bin)
    root = tempfile.mkdtemp(prefix="reliability-")
    fault_rows = []
    if not args.skip_faults:
        live = Fixture(args.python)
        try:
            for fault in FAULTS:
                runs = [run_fault(fault, binaries, args.python, args.codex, f"{root}/{len(fault_rows)}-{i}", live.url)
                        for i in range(args.repeat)]
                observed = sorted({f"{r['exit']} {r['code']}" for r in runs})
                worst = max(r["seconds"] for r in runs)
                kept = all(r["kept"] and (r["lines"] >= fault["transcript_lines"]) for r in runs)
                holds = (all(r["exit"] == fault["expect_exit"] and r["code"] == fault["expect_code"]
                             and r["check_code"] == fault["expect_code"] for r in runs)
                         and worst <= fault["deadline"] + 5 and kept)
                fault_rows.append(dict(fault=fault, observed=observed, worst=worst, kept=kept, holds=holds,
                                       checks=sorted({r["check_code"] or "ok" for r in runs}),
                                       lines=sorted({r["lines"] for r in runs}), message=runs[0]["message"]))
                print(f"{fault['name']}: {observed} worst {worst:.1f}s kept={kept} holds={holds}", file=sys.stderr)
        finally:
            live.stop()
    probe_rows = []
    if not args.skip_faults and os.access(f"{binaries}/probe-initialize", os.X_OK):
        os.makedirs(f"{root}/probe", exist_ok=True)
        probe_rows = run_probe_faults(binaries, args.repeat, f"{root}/probe")
    resource_rows = [] if args.skip_resources else resources(binaries, f"{root}/resources", args.flood_bytes, args.big_string_bytes)
    for row in resource_rows:
        print(f"{row['case']}: exit {row['exit']} {row['code']} rss {row['rss']} KiB {row['seconds']}s holds={row['holds']}",
              file=sys.stderr)

    out = ["# Reliability", "",
           "Written by `make reliability` (scripts/reliability.py) on "
           f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, debug build, 2-core machine shared with other jobs.", ""]
    if fault_rows:
        out += ["## codex-stage fault matrix", "",
                f"Real pinned Codex CLI, scripted model, FastMCP fixture server; each fault {args.repeat} times. "
                "`check` on the saved files must reach the same code. *Deadline* is the limit that bounds the run "
                "(`--timeout 60` unless the fault sets a shorter one; heartbeat/timeout rows: the limit plus `--grace`); "
                "*worst* is the slowest of the runs. *Transcript kept*: the `.jsonl` and `.stderr.log` are on disk "
                "(with the lines written before the fault).", "",
                "| fault | expected | observed (run) | `check` | worst s | deadline s | transcript kept | holds | message (first run) |",
                "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
        for row in fault_rows:
            f = row["fault"]
            out.append(f"| {f['name']} | {f['expect_exit']} `{f['expect_code']}` | {', '.join(row['observed'])} | "
                       f"{', '.join(row['checks'])} | {row['worst']:.1f} | {f['deadline']} | "
                       f"{'yes' if row['kept'] else 'no'} ({'/'.join(str(x) for x in row['lines'])} lines) | "
                       f"{'yes' if row['holds'] else '**NO**'} | {' '.join(row['message'].split())[:110].replace('|', '/')} |")
        out.append("")
    if probe_rows:
        out += ["## probe-initialize fault matrix", "",
                f"Tests/Fixtures/ProbeKit/fault_server.py in each mode, {args.repeat} runs each, `--attempt-timeout` 5 s unless "
                "set. *Deadline* is `--deadline`; *worst* the slowest run; *attempts* per run; *preview* the longest "
                "`body_preview` (capped at 512 bytes plus an ellipsis); peak RSS the largest of the runs.", "",
                "| fault | expected | observed | worst s | deadline s | attempts | preview | peak RSS | holds | message (first run) |",
                "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
        for row in probe_rows:
            out.append(f"| {row['name']} | {row['expect']} | {', '.join(row['observed'])} | {row['worst']:.1f} | "
                       f"{row['deadline']} | {row['attempts']} | {row['preview']} | {row['rss'] / 1024:.0f} MiB | "
                       f"{'yes' if row['holds'] else '**NO**'} | {' '.join(row['message'].split())[:100].replace('|', '/')} |")
        out.append("")
    if resource_rows:
        out += ["## Bounded resources", "",
                "Peak RSS is wait4's `ru_maxrss` of the tool (Tests/Fixtures/Hardening/peak_rss.py). The flooding "
                "Codex is Tests/Fixtures/Hardening/fake_codex.sh (`FAKE_CODEX_MODE=flood`).", "",
                "| case | exit | code | peak RSS | seconds | detail | holds |", "| --- | --- | --- | --- | --- | --- | --- |"]
        for row in resource_rows:
            out.append(f"| {row['case']} | {row['exit']} | `{row['code']}` | {row['rss'] / 1024:.0f} MiB | {row['seconds']:.1f} | "
                       f"{' '.join(row['detail'].split()).replace('|', '/')} | {'yes' if row['holds'] else '**NO**'} |")
        out.append("")
    if os.path.exists(args.out + ".extra"):
        out.append(open(args.out + ".extra").read())
    with open(args.out, "w") as handle:
        handle.write("\n".join(out) + "\n")
    subprocess.run(["rm", "-rf", root])
    ok = all(r["holds"] for r in fault_rows + probe_rows + resource_rows)
    print(f"wrote {args.out}: {'every row holds' if ok else 'SOME ROWS FAIL'}", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
