"""Span names from the spec: each operation's path template, known before any tracing library loads."""

from __future__ import annotations

from collections.abc import Mapping


def operation_routes(spec: Mapping[str, object]) -> dict[str, str]:
    """`{operationId: path template}` of an OpenAPI document, e.g. `api.items.get: /v1/items/{item_id}`."""
    routes = {}
    paths = spec.get("paths")
    for path, operations in (paths if isinstance(paths, Mapping) else {}).items():
        for operation in operations.values() if isinstance(operations, Mapping) else ():
            if isinstance(operation, Mapping) and "operationId" in operation:
                routes[str(operation["operationId"])] = str(path)
    return routes
