"""The stack's configuration as committed: what `render-manifest` and the stages rely on."""

import re


def test_template_listens_on_the_templated_port(template):
    # The :9090 stall of the Stelae workbook: a literal port makes the proxy ignore PROXY_PORT.
    assert template["mcpProxy"]["addr"] == ":{{PROXY_PORT}}"
    text = repr(template)
    assert not re.search(r"127\.0\.0\.1:\d", text), "no literal local port in the template"


def test_every_server_runs_from_templated_paths(template):
    for name, server in template["mcpServers"].items():
        assert server["type"] == "stdio", name
        assert "{{" in server["command"], f"{name}: the interpreter comes from the render"


def test_aggregates_are_unique_and_pinned_to_a_server(catalog):
    aggregations = catalog["toolAggregations"]["aggregations"]
    names = [aggregate["name"] for aggregate in aggregations]
    assert len(names) == len(set(names)), "duplicate aggregate names"
    for aggregate in aggregations:
        required = aggregate["inputSchema"].get("required", [])
        assert len(required) == len(set(required)), f"{aggregate['name']}: doubled required entries"
        for operation in aggregate.get("operations", []):
            # `Unknown tool: read_file` in Stelae: an operation without its downstream server.
            assert operation.get("downstreamServer") or catalog["toolAggregations"]["defaults"].get("serverName")


def test_every_stage_expects_a_published_tool(catalog, stages):
    published = {aggregate["name"] for aggregate in catalog["toolAggregations"]["aggregations"]}
    for server in catalog.get("toolOverrides", {}).get("servers", {}).values():
        published |= {name for name, tool in server.get("tools", {}).items() if tool.get("enabled", True)}
    for stage in stages["stages"]:
        for expectation in stage["expectations"]:
            assert expectation["tool"] in published, f"stage {stage['name']}: {expectation['tool']} is not published"


def test_server_source_compiles(stack_dir):
    for name in ("server.py", "stelae_proxy.py", "proxy_start.py", "proxy_serve.py"):
        source = (stack_dir / name).read_text(encoding="utf-8")
        compile(source, name, "exec")
