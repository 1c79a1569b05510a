"""The running stack, as a client sees it: initialize, tools/list, one call per read-only tool."""

import json
import urllib.request

PROTOCOL = "2025-06-18"


class Session:
    def __init__(self, url: str):
        self.url = url
        self.session = None
        self.next_id = 0

    def post(self, method: str, params: dict | None = None, notify: bool = False):
        body = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            body["params"] = params
        if not notify:
            self.next_id += 1
            body["id"] = self.next_id
        headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream",
                   "MCP-Protocol-Version": PROTOCOL}
        if self.session:
            headers["Mcp-Session-Id"] = self.session
        request = urllib.request.Request(self.url, json.dumps(body).encode(), headers, method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            self.session = response.headers.get("Mcp-Session-Id") or self.session
            text = response.read().decode()
            kind = response.headers.get("Content-Type", "")
        if notify:
            return None
        if kind.startswith("text/event-stream"):
            # The answer is the data of the event that carries our id.
            for line in text.splitlines():
                if line.startswith("data:"):
                    message = json.loads(line[5:])
                    if message.get("id") == body["id"]:
                        return message
            raise AssertionError(f"{method}: no answer in the event stream: {text[:300]!r}")
        return json.loads(text)


def connect(url: str) -> Session:
    session = Session(url)
    answer = session.post("initialize", {"protocolVersion": PROTOCOL, "capabilities": {},
                                         "clientInfo": {"name": "stack-tests", "version": "1"}})
    assert "result" in answer, answer
    session.post("notifications/initialized", notify=True)
    return session


def tools(session: Session) -> list[dict]:
    listed, cursor = [], None
    for _ in range(20):
        answer = session.post("tools/list", {"cursor": cursor} if cursor else {})
        listed += answer["result"]["tools"]
        cursor = answer["result"].get("nextCursor")
        if not cursor:
            return listed
    raise AssertionError("tools/list never ends")


def test_the_stack_serves_exactly_the_manifest(probe_url, manifest):
    served = {tool["name"] for tool in tools(connect(probe_url))}
    assert served == {tool["name"] for tool in manifest["tools"]}


def test_schemas_have_unique_required_entries(probe_url):
    for tool in tools(connect(probe_url)):
        required = tool["inputSchema"].get("required", [])
        assert len(required) == len(set(required)), tool["name"]


def test_read_only_tools_answer(probe_url):
    session = connect(probe_url)
    answer = session.post("tools/call", {"name": "doc_fetch_suite", "arguments": {"operation": "list_documents"}})
    assert not answer["result"].get("isError"), answer
    answer = session.post("tools/call", {"name": "workspace_fs_read",
                                         "arguments": {"operation": "read_file", "path": "README.md"}})
    assert not answer["result"].get("isError"), answer
