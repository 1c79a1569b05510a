from __future__ import annotations

from typing import Any, Dict

DEFAULT_CUSTOM_TOOLS: Dict[str, Any] = {"tools": []}

DEFAULT_TOOL_OVERRIDES: Dict[str, Any] = {
    "schemaVersion": 2,
    "master": {"tools": {"*": {"annotations": {}}}},
    "servers": {
        "core": {"enabled": True, "tools": {"ping": {"enabled": True}}},
        "broken": {"enabled": True, "tools": {"fix": {"description": "Fix things."}}},
        "missing": {"enabled": True, "tools": {"install": {"enabled": True}}},
        "remote": {"enabled": True, "tools": {"search": {"enabled": True}}},
    },
}

DEFAULT_TOOL_AGGREGATIONS: Dict[str, Any] = {
    "schemaVersion": 1,
    "defaults": {"selectorField": "operation", "serverName": "tool_aggregator"},
    "hiddenTools": [],
    "aggregations": [],
    # The aggregator calls the proxy back here: a literal port, as in Stelae's own defaults.
    "proxyURL": "http://127.0.0.1:9090",
}

DEFAULT_CATALOG_FRAGMENT: Dict[str, Any] = {
    "tool_overrides": DEFAULT_TOOL_OVERRIDES,
    "tool_aggregations": DEFAULT_TOOL_AGGREGATIONS,
    "hide_tools": [],
}
