"""Avro schema JSON in its most portable spelling: simple names with an explicit namespace."""

from __future__ import annotations

from typing import Any

_NAMED_TYPES = ("record", "error", "enum", "fixed")
# Keys first in these orders, the rest after them as they came: reads like a hand-written .avsc.
_TYPE_KEYS = ("type", "logicalType", "name", "namespace", "doc")
_FIELD_KEYS = ("name", "type", "default", "doc")


def with_namespaces(schema: Any) -> Any:
    """The same schema, every dotted full name split into `name` and `namespace`.

    fastavro writes full names into `name`, which Avro allows but some tools (the AsyncAPI
    schema of Avro payloads among them) reject; the parsing canonical form, hence the
    fingerprint, is unchanged.
    """
    if isinstance(schema, list):
        return [with_namespaces(branch) for branch in schema]
    if not isinstance(schema, dict):
        return schema  # a primitive or a reference to a named type, by full name
    result = dict(schema)
    kind = schema.get("type")
    name = schema.get("name")
    if kind in _NAMED_TYPES and isinstance(name, str) and "." in name:
        result["namespace"], _, result["name"] = name.rpartition(".")
    if kind in ("record", "error"):
        result["fields"] = [_field(field) for field in schema["fields"]]
    elif kind == "array":
        result["items"] = with_namespaces(schema["items"])
    elif kind == "map":
        result["values"] = with_namespaces(schema["values"])
    return _ordered(result, _TYPE_KEYS)


def _field(field: dict[str, Any]) -> dict[str, Any]:
    return _ordered({**field, "type": with_namespaces(field["type"])}, _FIELD_KEYS)


def _ordered(mapping: dict[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    first = {key: mapping[key] for key in order if key in mapping}
    return {**first, **{key: value for key, value in mapping.items() if key not in first}}
