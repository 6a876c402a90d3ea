"""Every event schema a message may name in `ce-dataschema`: the current ones and all released versions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.errors import NotFound
from eventing.avro_document import with_namespaces
from eventing.released_schemas import ReleasedVersions
from eventing.schema_registry import SchemaRegistry
from items_events.schemas import RegisteredSchema


class SchemaNotFound(NotFound):
    """No current or released event schema has the requested fingerprint."""

    title = "Schema not found"


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    """One writer schema and where consumers download it."""

    schema: RegisteredSchema
    version: int | None  # its released version; None until the schema is released
    current: bool
    url: str

    def summary(self) -> dict[str, Any]:
        return {
            "fingerprint": self.schema.fingerprint_hex,
            "full_name": self.schema.full_name,
            "event_type": self.schema.event_type,
            "version": self.version,
            "current": self.current,
            "href": self.url,
        }


class SchemaCatalog:
    """Writer schemas by fingerprint; a current schema wins over a released one with the same layout."""

    def __init__(self, registry: SchemaRegistry, released: ReleasedVersions, schemas_url: str) -> None:
        """`schemas_url` is where the documents are served, the base of every `ce-dataschema`."""
        schemas_url = schemas_url.rstrip("/")
        entries: dict[str, CatalogEntry] = {}
        for versions in released.values():
            for old in versions:
                entries[old.schema.fingerprint_hex] = CatalogEntry(
                    old.schema, old.version, False, f"{schemas_url}/{old.schema.fingerprint_hex}"
                )
        for schema in registry.schemas():
            fingerprint = schema.fingerprint_hex
            # The current document carries the newest docs; the binary layout is the same.
            version = entries[fingerprint].version if fingerprint in entries else None
            entries[fingerprint] = CatalogEntry(schema, version, True, f"{schemas_url}/{fingerprint}")
        self._entries = entries
        # Served in the portable spelling, which AsyncAPI tools accept too; the fingerprint is the same.
        self._documents = {
            fingerprint: with_namespaces(entry.schema.document) for fingerprint, entry in entries.items()
        }

    def entries(self) -> list[CatalogEntry]:
        """By full name, then oldest version first; an unreleased current schema comes last."""

        def order(entry: CatalogEntry) -> tuple[str, float]:
            return entry.schema.full_name, float("inf") if entry.version is None else entry.version

        return sorted(self._entries.values(), key=order)

    def document(self, fingerprint: str) -> dict[str, Any]:
        """The schema as Avro JSON, with docs, defaults and logical types."""
        document = self._documents.get(fingerprint.lower())
        if document is None:
            raise SchemaNotFound(f"no event schema has the fingerprint {fingerprint!r}")
        return document
