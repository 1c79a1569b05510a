#!/usr/bin/env python3
"""Writes a catalog fragment with N aggregates of K operations each (for bench/render.sh).

Each aggregate has a realistic input schema (an operation enum of K values, a few properties),
annotations and K operations pinned to a downstream server, so the render does the real work:
validation, merge, overrides, dedupe, manifest and four canonical JSON files.
"""
import json
import sys


def aggregate(index: int, operations: int) -> dict:
    values = [f"op_{index}_{k}" for k in range(operations)]
    return {
        "name": f"suite_{index:05d}",
        "description": f"Generated aggregate {index} with {operations} operations.",
        "annotations": {"title": f"Suite {index}", "readOnlyHint": index % 2 == 0},
        "inputSchema": {
            "type": "object",
            "properties": {
                "operation": {"type": "string", "enum": values, "description": "Which operation."},
                "path": {"type": "string", "description": "A path."},
                "params": {"type": "object", "additionalProperties": True},
                "limit": {"type": ["integer", "null"], "minimum": 1},
            },
            "required": ["operation"],
        },
        "outputSchema": {"type": ["object", "null"]},
        "operations": [
            {
                "value": value,
                "downstreamServer": f"backend_{index % 7}",
                "downstreamTool": f"tool_{index}_{k}",
                "description": f"Operation {k} of suite {index}.",
                "argumentMappings": [{"target": "path", "source": "path"}],
            }
            for k, value in enumerate(values)
        ],
    }


def main() -> None:
    count, operations, destination = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    fragment = {
        "toolAggregations": {
            "schemaVersion": 1,
            "defaults": {"serverName": "stelae", "selectorField": "operation"},
            "aggregations": [aggregate(i, operations) for i in range(count)],
        }
    }
    with open(destination, "w", encoding="utf-8") as handle:
        json.dump(fragment, handle, indent=1)


if __name__ == "__main__":
    main()
