"""Writer schemas of the events this service publishes, parsed once and found by full name or fingerprint."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from items_events.schemas import SCHEMA_FILE_SUFFIX, KnownWriterSchemas, RegisteredSchema


class UnknownEventType(LookupError):
    """An event type that has no schema in the registry."""


class SchemaRegistry:
    """The current writer schema of each event, from `<full name>.avsc` files."""

    def __init__(self, schemas: Iterable[RegisteredSchema]) -> None:
        self._by_name: dict[str, RegisteredSchema] = {}
        fingerprints: set[str] = set()
        for schema in schemas:
            if schema.full_name in self._by_name or schema.fingerprint_hex in fingerprints:
                raise ValueError(f"schema {schema.full_name} is registered twice")
            self._by_name[schema.full_name] = schema
            fingerprints.add(schema.fingerprint_hex)
        self._by_fingerprint = KnownWriterSchemas(self._by_name.values())

    @classmethod
    def load(cls, directory: Path, full_names: Iterable[str]) -> SchemaRegistry:
        """Read `<full name>.avsc` for each name; named types come from sibling files alike."""
        return cls(_load_one(directory, full_name) for full_name in full_names)

    def writer(self, full_name: str) -> RegisteredSchema:
        try:
            return self._by_name[full_name]
        except KeyError:
            raise UnknownEventType(f"no schema for event type {full_name!r}") from None

    def by_fingerprint(self, fingerprint: bytes | str) -> RegisteredSchema:
        """Find a schema by its 8 fingerprint bytes or their 16-character hex form."""
        return self._by_fingerprint.by_fingerprint(fingerprint)

    def schemas(self) -> list[RegisteredSchema]:
        """Every registered schema, sorted by full name."""
        return sorted(self._by_name.values(), key=lambda schema: schema.full_name)


def _load_one(directory: Path, full_name: str) -> RegisteredSchema:
    schema = RegisteredSchema.from_file(directory / f"{full_name}{SCHEMA_FILE_SUFFIX}")
    if schema.full_name != full_name:
        raise ValueError(f"{full_name}{SCHEMA_FILE_SUFFIX} does not define the record {full_name}")
    return schema
