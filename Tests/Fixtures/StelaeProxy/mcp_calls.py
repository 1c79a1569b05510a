"""A small MCP client for the stelae_proxy tests: it connects to a streamable-HTTP endpoint, lists
the tools, makes the calls it is given and prints one JSON document of what it observed (the Swift
tests do the asserting).

usage: mcp_calls.py --url http://127.0.0.1:P/mcp [--calls JSON]   (calls: [{"name":..., "arguments":{...}}])

A call that the server answers with a JSON-RPC error is recorded as {"error": {"code", "message"}}.
"""

import argparse
import asyncio
import json

import mcp_types as types
from mcp.client.session import ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError


async def observe(url: str, calls: list[dict]) -> dict:
    async with streamable_http_client(url) as streams, ClientSession(*streams) as session:
        info = await session.initialize()
        listed = await session.list_tools()
        tools = [t.model_dump(by_alias=True, exclude_none=True, mode="json") for t in listed.tools]
        results = []
        for call in calls:
            arguments = call.get("arguments") or {}
            entry = {"name": call["name"], "arguments": arguments}
            try:
                # send_request: the raw answer, without the client's own outputSchema check.
                result = await session.send_request(
                    types.CallToolRequest(params=types.CallToolRequestParams(name=call["name"], arguments=arguments)),
                    types.CallToolResult)
                entry.update(is_error=bool(result.is_error), structured=result.structured_content,
                             text="".join(getattr(block, "text", "") for block in result.content))
            except MCPError as error:
                entry["error"] = {"code": error.code, "message": error.message}
            results.append(entry)
        return {"server_info": info.server_info.model_dump(mode="json", exclude_none=True),
                "tools": tools, "calls": results}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--calls", default="[]")
    args = parser.parse_args()
    observation = asyncio.run(asyncio.wait_for(observe(args.url, json.loads(args.calls)), timeout=60))
    print(json.dumps(observation, sort_keys=True))


if __name__ == "__main__":
    main()
