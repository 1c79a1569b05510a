#!/usr/bin/env python3
"""Bookkeeping for scripts/smoke: the step ledger, the JSON of steps that are not tool calls,
the offered-tools check, summary.json and junit.xml. Standard library only.

Every step of a run appends one line to <run>/steps.jsonl; summary.json and junit.xml are derived
from that ledger and the step files, so a run interrupted half-way still summarises what it did.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

VERSION = "0.1.0"
SECRET_SUFFIXES = ("_KEY", "_TOKEN", "_SECRET", "PASSWORD")
STACK_LOG_TAIL_LINES = 25


def load_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_json(path: Path, value) -> None:
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    temporary.write_text(json.dumps(value, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(temporary, path)


def secret_values(minimum: int = 4) -> list[str]:
    values = {v.strip() for k, v in os.environ.items()
              if k.upper().endswith(SECRET_SUFFIXES) and len(v.strip()) >= minimum}
    return sorted(values, key=len, reverse=True)


def redact(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "[REDACTED]")
    return text


def typed(pairs: list[str]) -> dict:
    """key=value (string) and key:=json (typed) pairs, as the step JSON's extra fields."""
    fields = {}
    for pair in pairs:
        key, value = pair.split("=", 1)
        if key.endswith(":"):
            fields[key[:-1]] = json.loads(value)
        else:
            fields[key] = value
    return fields


# --- commands --------------------------------------------------------------------------------------


def cmd_record(args) -> int:
    """Ledger line for a finished step; a tool that printed no JSON gets a JSON error in its file."""
    run = Path(args.run)
    step_file = run / args.file
    document = load_json(step_file)
    if not isinstance(document, dict):
        stderr_tail = ""
        if args.stderr and Path(args.stderr).exists():
            stderr_tail = Path(args.stderr).read_text(encoding="utf-8", errors="replace")[-600:]
        code = {124: "timeout", 130: "interrupted", 143: "interrupted"}.get(args.exit, "no_json_answer")
        message = (f"step '{args.step}' exited {args.exit} without a JSON answer on stdout"
                   + (" (the smoke run was interrupted)" if code == "interrupted" else ""))
        if args.override_code:
            code, message = args.override_code, args.override_message
        document = {"tool": "smoke", "wrapped_tool": args.tool, "version": VERSION, "ok": False, "step": args.step,
                    "elapsed_ms": args.elapsed_ms,
                    "error": {"code": code, "message": message,
                              "hint": redact(stderr_tail.strip(), secret_values()) or None}}
        write_json(step_file, document)
    error = document.get("error") if isinstance(document.get("error"), dict) else None
    ok = bool(document.get("ok")) and args.exit == 0
    line = {"n": args.n, "step": args.step, "stage": args.stage or None, "file": args.file, "exit": args.exit,
            "ok": ok, "elapsed_ms": args.elapsed_ms,
            "error_code": (error or {}).get("code") if not ok else None,
            "error_message": (error or {}).get("message") if not ok else None,
            "artifacts": [a for a in args.artifact if a]}
    if args.override_code:
        line.update(ok=False, error_code=args.override_code, error_message=args.override_message)
    elif not ok and args.exit in (130, 143) and (line["error_code"] in (None, "no_json_answer")):
        line["error_code"] = "interrupted"
        line["error_message"] = f"the smoke run was interrupted (signal {args.exit - 128}) during this step"
    elif not ok and line["error_code"] is None:
        line["error_code"] = "exit_status"
        line["error_message"] = f"exit status {args.exit} although the JSON says ok"
    for key in ("transcript", "stderr_log"):
        value = document.get(key)
        if isinstance(value, str) and value:
            path = Path(value)
            if path.is_absolute() and run.resolve() in path.resolve().parents:
                value = path.resolve().relative_to(run.resolve()).as_posix()
            if value not in line["artifacts"]:
                line["artifacts"].append(value)
    with (run / "steps.jsonl").open("a", encoding="utf-8") as ledger:
        ledger.write(json.dumps(line, sort_keys=True) + "\n")
    ok = line["ok"]
    verdict = "ok  " if ok else "FAIL"
    detail = "" if ok else f"  {line['error_code']}: {redact(str(line['error_message'] or ''), secret_values())[:300]}"
    print(f"[smoke] {args.n:02d} {args.step:<28} {verdict} {args.elapsed_ms:>6} ms{detail}", file=sys.stderr)
    return 0


def cmd_emit(args) -> int:
    """The JSON answer of a step the script performs itself (start-stack, stop-stack, offered-tools)."""
    document = {"tool": "smoke", "version": VERSION, "step": args.step, "ok": args.ok == "true",
                "elapsed_ms": args.elapsed_ms}
    document.update(typed(args.field))
    if args.ok != "true":
        document["error"] = {"code": args.code, "message": args.message}
        if args.hint:
            document["error"]["hint"] = args.hint
    write_json(Path(args.out), document)
    return 0


def offered_names(stage_document) -> list[str] | None:
    offered = stage_document.get("offered_tools") if isinstance(stage_document, dict) else None
    if not isinstance(offered, list):
        return None
    names = []
    for item in offered:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, str):
            # Accept the flat `mcp__server__tool` spelling as well as the bare name.
            names.append(name.split("__")[-1] if name.startswith("mcp__") else name)
    return sorted(set(names))


def cmd_offered(args) -> int:
    """tool_not_offered when Codex's request to the model lacked a curated tool (stale manifest)."""
    started = time.monotonic()
    manifest = load_json(Path(args.manifest)) or {}
    curated = sorted({t.get("name") for t in manifest.get("tools", []) if isinstance(t, dict)})
    stage_document = load_json(Path(args.stage_json))
    offered = offered_names(stage_document)
    fields = {"stage": args.stage, "curated": curated, "manifest": args.manifest}
    if offered is None:
        if args.model == "real":
            fields.update(offered=None, missing=[], checked=False,
                          note="a real model's request is not observed; offered_tools is unknown")
            document = {"ok": True}
        else:
            document = {"ok": False, "error": {
                "code": "offered_tools_unknown",
                "message": f"{args.stage_json} has no offered_tools list (did the stage start Codex?)"}}
    else:
        missing = [name for name in curated if name not in offered]
        fields.update(offered=offered, missing=missing, checked=True)
        document = {"ok": not missing}
        if missing:
            document["error"] = {
                "code": "tool_not_offered",
                "message": f"Codex did not offer the curated tool(s) {', '.join(missing)} to the model in stage "
                           f"'{args.stage}' (offered: {', '.join(offered) or 'none'})",
                "hint": "Codex saw a different tool list than the manifest: stale manifest, server dropped or namespace changed"}
    document.update({"tool": "smoke", "version": VERSION, "step": f"offered-{args.stage}",
                     "elapsed_ms": int((time.monotonic() - started) * 1000)})
    document.update(fields)
    write_json(Path(args.out), document)
    return 0 if document["ok"] else 1


def cmd_require(args) -> int:
    """The tools the probe must see: the rendered manifest's, plus every tool a selected stage expects,
    plus CURATED_TOOLS. A catalog that hides a tool a stage needs fails at the probe, naming it."""
    names: set[str] = set(args.extra)
    manifest = load_json(Path(args.manifest)) if args.manifest else None
    if isinstance(manifest, dict):
        names |= {t["name"] for t in manifest.get("tools", []) if isinstance(t, dict) and "name" in t}
    stages = load_json(Path(args.stages)) if args.stages else None
    if isinstance(stages, dict):
        wanted = set(args.stage)
        for stage in stages.get("stages", []):
            if isinstance(stage, dict) and stage.get("name") in wanted:
                for expectation in stage.get("expectations", []):
                    if isinstance(expectation, dict) and isinstance(expectation.get("tool"), str):
                        names.add(expectation["tool"])
    print("\n".join(sorted(n for n in names if n)))
    return 0


def cmd_curated(args) -> int:
    """Each curated tool as server::tool, for the per-server diagnosis."""
    document = load_json(Path(args.manifest))
    for tool in (document or {}).get("tools", []) if isinstance(document, dict) else []:
        if isinstance(tool, dict) and tool.get("name"):
            print(f"{tool['server']}::{tool['name']}" if tool.get("server") else tool["name"])
    return 0


def cmd_ports(args) -> int:
    """The ports step: render-manifest's own findings, red when it marked one fatal."""
    render = load_json(Path(args.render)) or {}
    findings = render.get("hardcoded_ports") or []
    fatal = [f for f in findings if f.get("fatal")]
    document = {"tool": "smoke", "version": VERSION, "step": "ports", "ok": not fatal, "hardcoded_ports": findings}
    if fatal:
        document["error"] = {"code": "hardcoded_port", "message": "; ".join(
            f"{f['file']}: {f['json_path']} is \"{f['value']}\": clients call port {f['port']}, "
            f"not the stack's {render.get('port')}" for f in fatal)}
    write_json(Path(args.out), document)
    return 0 if not fatal else 1


def cmd_stage_names(args) -> int:
    document = load_json(Path(args.stages))
    stages = document.get("stages") if isinstance(document, dict) else None
    if not isinstance(stages, list):
        print(f"{args.stages}: expected an object with a \"stages\" array", file=sys.stderr)
        return 2
    print(" ".join(str(stage.get("name")) for stage in stages if isinstance(stage, dict) and stage.get("name")))
    return 0


def cmd_get(args) -> int:
    """One value of a JSON file by dotted path: strings raw, anything else as JSON."""
    value = load_json(Path(args.file))
    for part in args.key.split("."):
        if not isinstance(value, dict) or part not in value:
            print(f"{args.file}: no '{args.key}'", file=sys.stderr)
            return 1
        value = value[part]
    print(value if isinstance(value, str) else json.dumps(value))
    return 0


def cmd_headline(args) -> int:
    summary = load_json(Path(args.summary))
    if not isinstance(summary, dict):
        print(f"smoke: no summary at {args.summary}")
        return 1
    total = len(summary.get("steps", []))
    seconds = summary.get("elapsed_ms", 0) / 1000
    if summary.get("ok"):
        print(f"smoke: PASSED {summary.get('passed')}/{total} steps in {seconds:.1f} s")
    else:
        first = summary.get("first_failure") or {}
        print(f"smoke: FAILED at {first.get('step')} ({first.get('code')}): {first.get('message')}"
              f"  [{summary.get('passed')}/{total} passed]")
        for line in summary.get("stack_log_tail", [])[-8:]:
            print(f"  stack.log| {line}")
    return 0


def read_ledger(run: Path) -> list[dict]:
    steps = []
    ledger = run / "steps.jsonl"
    if ledger.exists():
        for line in ledger.read_text(encoding="utf-8").splitlines():
            try:
                steps.append(json.loads(line))
            except ValueError:
                continue
    return steps


def scan_secrets(run: Path, secrets: list[str]) -> list[str]:
    """Files of the run directory that contain a secret value (the summary itself excluded)."""
    if not secrets:
        return []
    hits = []
    for path in sorted(run.rglob("*")):
        if not path.is_file() or path.is_symlink() or path.name in ("summary.json", "junit.xml"):
            continue
        if ".git" in path.relative_to(run).parts:
            continue
        try:
            data = path.read_bytes()
        except OSError:
            continue
        if any(secret.encode() in data for secret in secrets):
            hits.append(path.relative_to(run).as_posix())
    return hits


def cmd_summary(args) -> int:
    run = Path(args.run)
    secrets = secret_values()
    steps = read_ledger(run)
    planned = [p for p in args.planned if p]
    done = {s["step"] for s in steps}
    for name in planned:
        if name not in done:
            steps.append({"n": None, "step": name, "stage": None, "file": None, "exit": None, "ok": False,
                          "status": "skipped", "elapsed_ms": 0,
                          "error_code": "interrupted" if args.interrupted else "skipped",
                          "error_message": "not run: the smoke run was interrupted" if args.interrupted
                          else "not run: an earlier step failed",
                          "artifacts": []})
    for step in steps:
        step.setdefault("status", "passed" if step["ok"] else "failed")
        if step.get("error_message"):
            step["error_message"] = redact(step["error_message"], secrets)
    failing = [s for s in steps if s["status"] == "failed"]
    # Short values ("true", "1234") would match everywhere; only scan for ones that can be credentials.
    leaks = scan_secrets(run, secret_values(minimum=8))
    ok = bool(steps) and not failing and all(s["status"] == "passed" for s in steps) and not leaks
    summary = {
        "tool": "smoke", "version": VERSION, "ok": ok, "run_dir": str(run.resolve()),
        "first_failure": None, "elapsed_ms": sum(s.get("elapsed_ms") or 0 for s in steps),
        "steps": steps, "passed": sum(1 for s in steps if s["status"] == "passed"),
        "failed": len(failing), "skipped": sum(1 for s in steps if s["status"] == "skipped"),
    }
    summary.update(typed(args.field))
    if failing:
        first = failing[0]
        summary["first_failure"] = {"step": first["step"], "stage": first.get("stage"), "code": first["error_code"],
                                    "message": first["error_message"], "file": first["file"]}
    elif leaks:
        summary["first_failure"] = {"step": "secret-scan", "stage": None, "code": "secret_leak",
                                    "message": f"secret values found in {', '.join(leaks)}", "file": None}
    elif not ok and steps:
        first = next(s for s in steps if s["status"] != "passed")
        summary["first_failure"] = {"step": first["step"], "stage": None, "code": first["error_code"],
                                    "message": first["error_message"], "file": None}
    # The per-server diagnosis, when the chain ran it: which server broke, and why.
    diagnose = next((s for s in steps if s["step"] == "diagnose" and s.get("file")), None)
    if diagnose:
        document = load_json(run / diagnose["file"])
        if isinstance(document, dict) and isinstance(document.get("servers"), list):
            summary["servers"] = document["servers"]
    summary["interrupted"] = bool(args.interrupted)
    summary["secret_leaks"] = leaks
    stack_log = run / "stack.log"
    if not ok and stack_log.exists():
        lines = stack_log.read_text(encoding="utf-8", errors="replace").splitlines()
        summary["stack_log"] = "stack.log"
        summary["stack_log_tail"] = [redact(line, secrets) for line in lines[-STACK_LOG_TAIL_LINES:]]
    write_json(run / "summary.json", summary)
    write_junit(run / "junit.xml", summary)
    return 0 if ok else 1


def write_junit(path: Path, summary: dict) -> None:
    cases = []
    for step in summary["steps"]:
        name = step["step"]
        seconds = (step.get("elapsed_ms") or 0) / 1000
        body = ""
        if step["status"] == "failed":
            text = f"{step.get('error_message') or ''}\nfile: {step.get('file')}"
            if step is next((s for s in summary["steps"] if s["status"] == "failed"), None) and summary.get("stack_log_tail"):
                text += "\nstack log (last lines):\n" + "\n".join(summary["stack_log_tail"])
            body = f"<failure type={quoteattr(step.get('error_code') or 'failed')} message={quoteattr(step.get('error_message') or '')}>{escape(text)}</failure>"
        elif step["status"] == "skipped":
            body = f"<skipped message={quoteattr(step.get('error_message') or '')}/>"
        cases.append(f'    <testcase classname="smoke" name={quoteattr(name)} time="{seconds:.3f}">{body}</testcase>')
    failures = sum(1 for s in summary["steps"] if s["status"] == "failed")
    skipped = sum(1 for s in summary["steps"] if s["status"] == "skipped")
    document = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<testsuites name="smoke" tests="{len(cases)}" failures="{failures}" skipped="{skipped}">\n'
        f'  <testsuite name="smoke" tests="{len(cases)}" failures="{failures}" skipped="{skipped}" '
        f'time="{summary["elapsed_ms"] / 1000:.3f}">\n' + "\n".join(cases) + "\n  </testsuite>\n</testsuites>\n")
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    temporary.write_text(document, encoding="utf-8")
    os.replace(temporary, path)


def main() -> int:
    parser = argparse.ArgumentParser(prog="smoke_report")
    sub = parser.add_subparsers(dest="command", required=True)

    record = sub.add_parser("record")
    record.add_argument("--run", required=True)
    record.add_argument("--n", type=int, required=True)
    record.add_argument("--step", required=True)
    record.add_argument("--stage")
    record.add_argument("--tool")
    record.add_argument("--file", required=True)
    record.add_argument("--exit", type=int, required=True)
    record.add_argument("--elapsed-ms", type=int, required=True)
    record.add_argument("--stderr")
    record.add_argument("--artifact", action="append", default=[])
    record.add_argument("--override-code", help="the step failed for this reason, whatever the tool said")
    record.add_argument("--override-message")
    record.set_defaults(func=cmd_record)

    emit = sub.add_parser("emit")
    emit.add_argument("--out", required=True)
    emit.add_argument("--step", required=True)
    emit.add_argument("--ok", choices=["true", "false"], required=True)
    emit.add_argument("--elapsed-ms", type=int, default=0)
    emit.add_argument("--code", default="failed")
    emit.add_argument("--message", default="")
    emit.add_argument("--hint")
    emit.add_argument("--field", action="append", default=[])
    emit.set_defaults(func=cmd_emit)

    offered = sub.add_parser("offered")
    offered.add_argument("--stage", required=True)
    offered.add_argument("--stage-json", required=True)
    offered.add_argument("--manifest", required=True)
    offered.add_argument("--model", default="scripted")
    offered.add_argument("--out", required=True)
    offered.set_defaults(func=cmd_offered)

    stage_names = sub.add_parser("stage-names")
    stage_names.add_argument("--stages", required=True)
    stage_names.set_defaults(func=cmd_stage_names)

    curated = sub.add_parser("curated")
    curated.add_argument("--manifest", required=True)
    curated.set_defaults(func=cmd_curated)

    ports = sub.add_parser("ports")
    ports.add_argument("--render", required=True)
    ports.add_argument("--out", required=True)
    ports.set_defaults(func=cmd_ports)

    require = sub.add_parser("require")
    require.add_argument("--manifest")
    require.add_argument("--stages")
    require.add_argument("--stage", action="append", default=[])
    require.add_argument("extra", nargs="*")
    require.set_defaults(func=cmd_require)

    get = sub.add_parser("get")
    get.add_argument("file")
    get.add_argument("key")
    get.set_defaults(func=cmd_get)

    headline = sub.add_parser("headline")
    headline.add_argument("summary")
    headline.set_defaults(func=cmd_headline)

    summary = sub.add_parser("summary")
    summary.add_argument("--run", required=True)
    summary.add_argument("--planned", action="append", default=[])
    summary.add_argument("--field", action="append", default=[])
    summary.add_argument("--interrupted", action="store_true")
    summary.set_defaults(func=cmd_summary)

    args = parser.parse_args()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
