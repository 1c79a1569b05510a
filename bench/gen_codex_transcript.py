#!/usr/bin/env python3
"""Writes a Codex `exec --json` transcript of about SIZE_MB megabytes, for benchmarking `codex-stage check`.

Shape as Codex 0.163.0 prints it: thread/turn events, mcp_tool_call items (started + completed,
results from 1 KB to 1 MB), agent messages, reasoning and error items, a few non-JSON lines.
Deterministic: the same size gives the same bytes.
Usage: gen_codex_transcript.py SIZE_MB OUT.jsonl
"""
import json
import sys


def main() -> None:
    size_mb, out = int(sys.argv[1]), sys.argv[2]
    target = size_mb * 1024 * 1024
    sizes = [1024, 16 * 1024, 64 * 1024, 256 * 1024, 1024 * 1024]
    written = 0
    n = 0
    with open(out, "w", encoding="utf-8") as f:
        def emit(obj):
            nonlocal written
            line = json.dumps(obj, separators=(",", ":")) + "\n"
            f.write(line)
            written += len(line)

        emit({"type": "thread.started", "thread_id": "01a211d2-dd1f-7ce0-9e38-0040409382b0"})
        emit({"type": "turn.started"})
        while written < target:
            tool = ["workspace_fs_read", "grep", "manage_stelae", "manage_docy_sources", "doc_fetch_suite"][n % 5]
            args = {"operation": "read_file", "path": f"docs/file{n}.md"} if tool == "workspace_fs_read" else {"pattern": "manage_stelae", "paths": ["README.md"]}
            item = {"id": f"item_{n}", "type": "mcp_tool_call", "server": "stelae", "tool": tool, "arguments": args,
                    "result": None, "error": None, "status": "in_progress"}
            emit({"type": "item.started", "item": item})
            text = ("line %d of a long document with some text\n" % n) * (sizes[n % len(sizes)] // 40)
            failed = n % 17 == 5
            done = dict(item, status="failed" if failed else "completed",
                        result={"content": [{"type": "text", "text": text}], "structured_content": None})
            emit({"type": "item.completed", "item": done})
            if n % 7 == 0:
                emit({"type": "item.completed", "item": {"id": f"msg_{n}", "type": "agent_message", "text": "progress " * 50}})
                emit({"type": "item.completed", "item": {"id": f"r_{n}", "type": "reasoning", "text": "thinking " * 50}})
            if n % 50 == 3:
                f.write("WARNING: a non-JSON line injected by a wrapper\n")
                emit({"type": "error", "message": "Reconnecting... 1/5"})
            n += 1
        emit({"type": "item.completed", "item": {"id": "final", "type": "agent_message", "text": "done"}})
        emit({"type": "turn.completed", "usage": {"input_tokens": 0, "output_tokens": 0}})


if __name__ == "__main__":
    main()
