"""The consumer's own schemas: what it decodes every event into, whatever schema wrote it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from fastavro.types import Schema

from eventing.schema_registry import SchemaRegistry

# Ordering and deduplication need these, so a reader schema must keep them.
REQUIRED_ITEM_FIELDS = frozenset({"id", "version"})


def load_reader_schemas(directory: Path, full_names: Iterable[str]) -> dict[str, Schema]:
    """Read `<full name>.avsc` per event, keyed by simple name (e.g. `ItemCreated`)."""
    registry = SchemaRegistry.load(directory, full_names)
    readers: dict[str, Schema] = {schema.event_type: schema.parsed for schema in registry.schemas()}
    check_reader_schemas(readers)
    return readers


def check_reader_schemas(readers: Mapping[str, Schema]) -> None:
    """Refuse at startup a reader that could not order events, rather than on every message."""
    for event_type, schema in readers.items():
        missing = REQUIRED_ITEM_FIELDS - _field_names(_field_type(schema, "item"))
        if missing:
            raise ValueError(f"reader schema of {event_type} lacks item fields {sorted(missing)}")


def _field_names(record: object) -> set[str]:
    return {field["name"] for field in record.get("fields", ())} if isinstance(record, dict) else set()


def _field_type(schema: Schema, name: str) -> object:
    if isinstance(schema, dict):
        for field in schema.get("fields", ()):
            if field["name"] == name:
                return field["type"]
    return None
