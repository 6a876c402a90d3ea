"""The consumer's own schemas: what it decodes every event into, whatever schema wrote it."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from fastavro.types import Schema

from items_events.schemas import SCHEMA_FILE_SUFFIX, RegisteredSchema


def load_reader_schemas(directory: Path, full_names: Iterable[str]) -> dict[str, Schema]:
    """Read `<full name>.avsc` per event type, keyed by full name (e.g. `items.v1.ItemCreated`).

    Named types a schema refers to (`items.v1.ItemState`) come from sibling files alike.
    """
    readers: dict[str, Schema] = {}
    for full_name in full_names:
        schema = RegisteredSchema.from_file(directory / f"{full_name}{SCHEMA_FILE_SUFFIX}")
        if schema.full_name != full_name:
            raise ValueError(f"{full_name}{SCHEMA_FILE_SUFFIX} defines {schema.full_name}")
        readers[full_name] = schema.parsed
    return readers
