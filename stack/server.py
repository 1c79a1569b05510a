"""The embedded default stack: one MCP server (`stelae`) over stdio.

It publishes exactly the tools of the rendered curated manifest (STELAE_SMOKE_MANIFEST), with the
manifest's own descriptions, schemas and annotations, so that a catalog change followed by a
re-render changes the live `tools/list`. It implements them on the cloned workspace:

  STELAE_SMOKE_MANIFEST   rendered manifest.json ({"schemaVersion":1,"tools":[...]})
  STELAE_SMOKE_WORKSPACE  the clone under test; read-only for every tool
  STELAE_SMOKE_DOCS       a small local documents folder (doc_fetch_suite, manage_docy_sources)
  STELAE_SMOKE_STATE      the only place this server writes (scratch files, installed servers)

Run through the rendered proxy.json: `fastmcp run proxy.json --transport http --port P`.
A manifest tool this server cannot implement stops it at start with one clear stderr line.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import sys
from pathlib import Path
from typing import Any, Callable

SERVER_NAME = "stelae"
SERVER_VERSION = "1.0.0"

# Results larger than this are cut so a stray binary or huge file cannot flood the transport.
MAX_READ_BYTES = 512 * 1024
MAX_MATCHES = 1000

# What list_discovered_servers offers; install_server only installs one of these.
DISCOVERED_SERVERS: list[dict[str, Any]] = [
    {"name": "qdrant", "description": "Vector search over a local Qdrant collection.",
     "transport": "stdio", "command": "uvx", "args": ["mcp-server-qdrant"]},
    {"name": "memory", "description": "Knowledge-graph memory kept in a JSON file.",
     "transport": "stdio", "command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory"]},
    {"name": "scrapling", "description": "Fetch and extract web pages.",
     "transport": "stdio", "command": "uvx", "args": ["scrapling-fetch-mcp"]},
    {"name": "strata", "description": "Strata operations suite.",
     "transport": "http", "url": "http://127.0.0.1:8831/mcp"},
]


class ToolError(Exception):
    """A failure reported to the client as an MCP tool error (isError) with this text."""


class StartupError(Exception):
    """A configuration problem that must stop the server before it serves anything."""


# --- configuration ---------------------------------------------------------------------------------


def required_dir(variable: str, create: bool = False) -> Path:
    value = os.environ.get(variable)
    if not value:
        raise StartupError(f"{variable} is not set")
    path = Path(value)
    if create:
        path.mkdir(parents=True, exist_ok=True)
    if not path.is_dir():
        raise StartupError(f"{variable}={value} is not a directory")
    return path.resolve()


def load_manifest(path_text: str | None) -> list[dict[str, Any]]:
    if not path_text:
        raise StartupError("STELAE_SMOKE_MANIFEST is not set")
    try:
        document = json.loads(Path(path_text).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StartupError(f"manifest {path_text} does not exist") from None
    except (OSError, ValueError) as error:
        raise StartupError(f"manifest {path_text} is not readable JSON: {error}") from None
    tools = document.get("tools") if isinstance(document, dict) else None
    if not isinstance(tools, list):
        raise StartupError(f"manifest {path_text}: no 'tools' array")
    for index, tool in enumerate(tools):
        if not isinstance(tool, dict) or not isinstance(tool.get("name"), str):
            raise StartupError(f"manifest {path_text}: tools[{index}] has no name")
        server = tool.get("server", SERVER_NAME)
        if server != SERVER_NAME:
            raise StartupError(
                f"manifest {path_text}: tool '{tool['name']}' belongs to server '{server}', "
                f"but this stack only serves '{SERVER_NAME}'")
        if not isinstance(tool.get("inputSchema", {}), dict):
            raise StartupError(f"manifest {path_text}: tools[{index}].inputSchema is not an object")
    return tools


# --- paths -----------------------------------------------------------------------------------------


def inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


class Context:
    def __init__(self, workspace: Path, docs: Path, state: Path):
        self.workspace = workspace
        self.docs = docs
        self.state = state
        self.scratch = state / "scratch"

    def workspace_path(self, text: str | None) -> Path:
        """A path inside the workspace; symlinks are resolved first so none can lead outside."""
        raw = Path(text or ".")
        candidate = (raw if raw.is_absolute() else self.workspace / raw).resolve()
        if not inside(candidate, self.workspace):
            raise ToolError(f"path '{text}' is outside the workspace {self.workspace}")
        return candidate

    def relative(self, path: Path) -> str:
        return path.relative_to(self.workspace).as_posix() or "."

    def scratch_path(self, text: str | None) -> Path:
        """Writes land under STATE/scratch; anything aiming at the clone is refused by name."""
        if not text:
            raise ToolError("'path' is required")
        raw = Path(text)
        self.scratch.mkdir(parents=True, exist_ok=True)
        candidate = (raw if raw.is_absolute() else self.scratch / raw).resolve()
        if inside(candidate, self.workspace):
            raise ToolError(f"refused: '{text}' is inside the workspace clone {self.workspace}; "
                            f"workspace_fs_write only writes under {self.scratch}")
        if not inside(candidate, self.scratch.resolve()):
            raise ToolError(f"refused: '{text}' is outside the scratch directory {self.scratch}")
        return candidate


def read_text(path: Path) -> tuple[str, bool]:
    with path.open("rb") as handle:
        data = handle.read(MAX_READ_BYTES + 1)
    truncated = len(data) > MAX_READ_BYTES
    return data[:MAX_READ_BYTES].decode("utf-8", errors="replace"), truncated


def walk_files(root: Path, recursive: bool) -> list[Path]:
    """Files under root in a stable order, never descending into .git."""
    if root.is_file():
        return [root]
    found: list[Path] = []
    if not recursive:
        return found
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if d != ".git")
        found.extend(Path(directory) / name for name in sorted(files))
    return found


# --- tools -----------------------------------------------------------------------------------------


def operation_of(arguments: dict[str, Any], allowed: list[str]) -> str:
    operation = arguments.get("operation")
    if operation not in allowed:
        raise ToolError(f"unknown operation {operation!r}; expected one of {', '.join(allowed)}")
    return operation


def workspace_fs_read(ctx: Context, arguments: dict[str, Any]) -> dict[str, Any]:
    operation = operation_of(arguments, ["read_file", "list_directory", "search_files"])
    if operation == "read_file" and not arguments.get("path"):
        raise ToolError("read_file: 'path' is required (a file relative to the workspace root)")
    path = ctx.workspace_path(arguments.get("path"))
    if operation == "read_file":
        if not path.is_file():
            raise ToolError(f"read_file: '{arguments.get('path')}' is not a file in the workspace")
        content, truncated = read_text(path)
        return {"operation": operation, "path": ctx.relative(path), "content": content,
                "bytes": path.stat().st_size, "truncated": truncated}
    if not path.is_dir():
        raise ToolError(f"{operation}: '{arguments.get('path')}' is not a directory in the workspace")
    if operation == "list_directory":
        entries = [{"name": child.name, "type": "directory" if child.is_dir() else "file"}
                   for child in sorted(path.iterdir(), key=lambda p: p.name) if child.name != ".git"]
        return {"operation": operation, "path": ctx.relative(path), "entries": entries}
    pattern = arguments.get("pattern")
    if not isinstance(pattern, str) or not pattern:
        raise ToolError("search_files: 'pattern' is required (a glob such as '*.md')")
    matches = []
    for directory, subdirs, files in os.walk(path):
        subdirs[:] = sorted(d for d in subdirs if d != ".git")
        for name in sorted(subdirs + files):
            if fnmatch.fnmatch(name, pattern):
                matches.append(ctx.relative(Path(directory) / name))
    matches.sort()
    return {"operation": operation, "path": ctx.relative(path), "pattern": pattern,
            "matches": matches[:MAX_MATCHES], "truncated": len(matches) > MAX_MATCHES}


def workspace_fs_write(ctx: Context, arguments: dict[str, Any]) -> dict[str, Any]:
    operation = operation_of(arguments, ["write_file", "create_directory"])
    path = ctx.scratch_path(arguments.get("path"))
    if operation == "create_directory":
        path.mkdir(parents=True, exist_ok=True)
        return {"operation": operation, "path": str(path), "created": True}
    content = arguments.get("content", "")
    if not isinstance(content, str):
        raise ToolError("write_file: 'content' must be a string")
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    temporary.write_text(content, encoding="utf-8")
    os.replace(temporary, path)
    return {"operation": operation, "path": str(path), "bytes": len(content.encode("utf-8"))}


def grep(ctx: Context, arguments: dict[str, Any]) -> dict[str, Any]:
    pattern = arguments.get("pattern")
    if not isinstance(pattern, str) or pattern == "":
        raise ToolError("grep: 'pattern' is required")
    paths = arguments.get("paths") or ["."]
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise ToolError("grep: 'paths' must be an array of strings")
    recursive = bool(arguments.get("recursive", True))
    line_number = bool(arguments.get("line_number", False))
    if arguments.get("regexp", False):
        try:
            matcher = re.compile(pattern).search
        except re.error as error:
            raise ToolError(f"grep: invalid regular expression {pattern!r}: {error}") from None
    else:
        matcher = lambda line: pattern in line  # noqa: E731 - fixed-string search, like grep -F
    matches: list[dict[str, Any]] = []
    skipped: list[str] = []
    for text in paths:
        root = ctx.workspace_path(text)
        if not root.exists():
            raise ToolError(f"grep: '{text}' does not exist in the workspace")
        if root.is_dir() and not recursive:
            skipped.append(f"{ctx.relative(root)}: is a directory (recursive is false)")
            continue
        for file in walk_files(root, recursive):
            content, _ = read_text(file)
            if "\x00" in content:
                continue  # binary file
            for number, line in enumerate(content.splitlines(), start=1):
                if matcher(line):
                    match: dict[str, Any] = {"path": ctx.relative(file), "text": line}
                    if line_number:
                        match["line"] = number
                    matches.append(match)
    return {"pattern": pattern, "count": len(matches), "matches": matches[:MAX_MATCHES],
            "truncated": len(matches) > MAX_MATCHES, "skipped": skipped}


def load_json_state(path: Path, default: Any) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return default
    except ValueError as error:
        raise ToolError(f"state file {path} is corrupt: {error}") from None


def save_json_state(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    temporary.write_text(json.dumps(value, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(temporary, path)


def params_of(arguments: dict[str, Any]) -> dict[str, Any]:
    params = arguments.get("params") or {}
    if not isinstance(params, dict):
        raise ToolError("'params' must be an object")
    return params


def manage_stelae(ctx: Context, arguments: dict[str, Any]) -> dict[str, Any]:
    operation = operation_of(arguments, ["list_discovered_servers", "install_server", "remove_server"])
    params = params_of(arguments)
    registry = ctx.state / "installed_servers.json"
    installed: dict[str, Any] = load_json_state(registry, {})
    if operation == "list_discovered_servers":
        return {"operation": operation,
                "servers": [{"name": s["name"], "description": s["description"], "transport": s["transport"]}
                            for s in DISCOVERED_SERVERS],
                "installed": sorted(installed)}
    dry_run = bool(params.get("dry_run", False))
    force = bool(params.get("force", False))
    name = params.get("name")
    if not isinstance(name, str) or not name:
        raise ToolError(f"{operation}: params.name is required")
    if operation == "install_server":
        source = next((s for s in DISCOVERED_SERVERS if s["name"] == name), None)
        if source is None:
            known = ", ".join(s["name"] for s in DISCOVERED_SERVERS)
            raise ToolError(f"install_server: '{name}' is not a discovered server (known: {known})")
        target = params.get("target_name") or name
        if not isinstance(target, str) or not re.fullmatch(r"[A-Za-z0-9_.-]+", target):
            raise ToolError(f"install_server: invalid target_name {target!r}")
        if target in installed and not force:
            raise ToolError(f"install_server: '{target}' is already installed (pass force to replace it)")
        entry = {key: value for key, value in source.items() if key not in ("name", "description")}
        entry["source"] = name
        if not dry_run:
            installed[target] = entry
            save_json_state(registry, installed)
        return {"operation": operation, "name": name, "target_name": target, "dry_run": dry_run,
                "installed": not dry_run, "server": entry, "registry": str(registry)}
    present = name in installed
    if not present and not force:
        raise ToolError(f"remove_server: '{name}' is not installed (pass force to ignore)")
    if present and not dry_run:
        del installed[name]
        save_json_state(registry, installed)
    return {"operation": operation, "name": name, "dry_run": dry_run, "present": present,
            "removed": present and not dry_run, "registry": str(registry)}


def docs_sources(ctx: Context) -> tuple[dict[str, Any], dict[str, Any], Path]:
    """Built-in sources (tracked, read-only) and the user's changes kept in the state home."""
    builtin = load_json_state(ctx.docs / "sources.json", {"sources": []}).get("sources", [])
    overlay_path = ctx.state / "docy_sources.json"
    overlay = load_json_state(overlay_path, {"added": {}, "removed": []})
    return {s["name"]: s for s in builtin if isinstance(s, dict) and "name" in s}, overlay, overlay_path


def manage_docy_sources(ctx: Context, arguments: dict[str, Any]) -> dict[str, Any]:
    operation = operation_of(arguments, ["list_sources", "add_source", "remove_source"])
    params = params_of(arguments)
    builtin, overlay, overlay_path = docs_sources(ctx)

    def effective() -> list[dict[str, Any]]:
        merged = {n: dict(s, origin="builtin") for n, s in builtin.items() if n not in overlay["removed"]}
        merged.update({n: dict(s, origin="added") for n, s in overlay["added"].items()})
        return [merged[n] for n in sorted(merged)]

    if operation == "list_sources":
        return {"operation": operation, "sources": effective()}
    name = params.get("name")
    if not isinstance(name, str) or not name:
        raise ToolError(f"{operation}: params.name is required")
    dry_run = bool(params.get("dry_run", False))
    if operation == "add_source":
        url = params.get("url")
        if not isinstance(url, str) or not url:
            raise ToolError("add_source: params.url is required")
        if (name in builtin and name not in overlay["removed"]) or name in overlay["added"]:
            raise ToolError(f"add_source: a source named '{name}' already exists")
        overlay["added"][name] = {"name": name, "url": url, "description": str(params.get("description", ""))}
        if name in overlay["removed"]:
            overlay["removed"].remove(name)
    else:
        if name in overlay["added"]:
            del overlay["added"][name]
        elif name in builtin and name not in overlay["removed"]:
            overlay["removed"].append(name)
        else:
            raise ToolError(f"remove_source: no source named '{name}'")
    if not dry_run:
        save_json_state(overlay_path, overlay)
    return {"operation": operation, "name": name, "dry_run": dry_run, "sources": effective()}


def doc_fetch_suite(ctx: Context, arguments: dict[str, Any]) -> dict[str, Any]:
    operation = operation_of(arguments, ["list_documents", "fetch_document"])
    documents = {p.relative_to(ctx.docs).as_posix(): p for p in sorted(ctx.docs.rglob("*"))
                 if p.is_file() and p.suffix in (".md", ".txt")}
    if operation == "list_documents":
        listed = []
        for name, path in documents.items():
            first = path.read_text(encoding="utf-8", errors="replace").splitlines()[:1]
            listed.append({"name": name, "title": first[0].lstrip("# ").strip() if first else name,
                           "bytes": path.stat().st_size})
        return {"operation": operation, "documents": listed}
    name = arguments.get("name")
    if not isinstance(name, str) or not name:
        raise ToolError("fetch_document: 'name' is required (see list_documents)")
    if name not in documents:
        raise ToolError(f"fetch_document: no document named '{name}' (known: {', '.join(documents)})")
    content, truncated = read_text(documents[name])
    return {"operation": operation, "name": name, "content": content, "truncated": truncated}


IMPLEMENTATIONS: dict[str, Callable[[Context, dict[str, Any]], dict[str, Any]]] = {
    "workspace_fs_read": workspace_fs_read,
    "workspace_fs_write": workspace_fs_write,
    "grep": grep,
    "manage_stelae": manage_stelae,
    "manage_docy_sources": manage_docy_sources,
    "doc_fetch_suite": doc_fetch_suite,
}


# --- MCP wiring ------------------------------------------------------------------------------------


def build_server(manifest: list[dict[str, Any]], ctx: Context):
    import jsonschema
    import mcp_types as types
    from mcp.server.lowlevel.server import Server

    unknown = sorted(t["name"] for t in manifest if t["name"] not in IMPLEMENTATIONS)
    if unknown:
        raise StartupError(f"the manifest lists tool(s) this stack cannot implement: {', '.join(unknown)} "
                           f"(implemented: {', '.join(sorted(IMPLEMENTATIONS))})")
    published: list[types.Tool] = []
    validators: dict[str, Any] = {}
    for entry in manifest:
        definition = {"name": entry["name"], "inputSchema": entry.get("inputSchema") or {"type": "object"}}
        for key in ("description", "outputSchema", "annotations", "title"):
            if entry.get(key) is not None:
                definition[key] = entry[key]
        try:
            published.append(types.Tool.model_validate(definition))
            validators[entry["name"]] = jsonschema.Draft202012Validator(definition["inputSchema"])
        except Exception as error:  # a schema the SDK or jsonschema rejects is a catalog bug
            raise StartupError(f"manifest tool '{entry['name']}' is not a valid MCP tool: {error}") from None

    async def list_tools(_ctx, _params) -> types.ListToolsResult:
        return types.ListToolsResult(tools=published)

    async def call_tool(_ctx, params: types.CallToolRequestParams) -> types.CallToolResult:
        def failure(text: str) -> types.CallToolResult:
            return types.CallToolResult(content=[types.TextContent(text=text)], is_error=True)

        if params.name not in validators:
            return failure(f"unknown tool '{params.name}' (published: {', '.join(sorted(validators))})")
        arguments = params.arguments or {}
        problems = sorted(validators[params.name].iter_errors(arguments), key=lambda e: list(e.path))
        if problems:
            where = "/".join(str(p) for p in problems[0].path) or "arguments"
            return failure(f"{params.name}: invalid arguments at {where}: {problems[0].message}")
        try:
            result = IMPLEMENTATIONS[params.name](ctx, arguments)
        except ToolError as error:
            return failure(str(error))
        except OSError as error:
            return failure(f"{params.name}: {error.strerror or error} ({error.filename or ''})")
        return types.CallToolResult(
            content=[types.TextContent(text=json.dumps(result, ensure_ascii=False))],
            structured_content=result)

    return Server(SERVER_NAME, version=SERVER_VERSION, on_list_tools=list_tools, on_call_tool=call_tool)


def main() -> int:
    try:
        manifest = load_manifest(os.environ.get("STELAE_SMOKE_MANIFEST"))
        ctx = Context(workspace=required_dir("STELAE_SMOKE_WORKSPACE"),
                      docs=required_dir("STELAE_SMOKE_DOCS"),
                      state=required_dir("STELAE_SMOKE_STATE", create=True))
        server = build_server(manifest, ctx)
    except StartupError as error:
        print(f"stelae stack: cannot start: {error}", file=sys.stderr, flush=True)
        return 3
    print(f"stelae stack: serving {len(manifest)} tool(s) over {ctx.workspace}", file=sys.stderr, flush=True)

    import anyio
    from mcp.server.stdio import stdio_server

    async def serve() -> None:
        async with stdio_server() as (read_stream, write_stream):
            await server.run(read_stream, write_stream, server.create_initialization_options())

    anyio.run(serve)
    return 0


if __name__ == "__main__":
    sys.exit(main())
