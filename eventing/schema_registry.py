"""Writer schemas of our events, parsed once and found by event type or fingerprint.

A fingerprint is the CRC-64-AVRO (Rabin) fingerprint of the schema's Parsing
Canonical Form as the 8 little-endian bytes that the single-object encoding puts
after its magic. Its text form, used in the outbox, headers and URLs, is always the
lower-case hex of those same 8 bytes in that same order (16 characters), which is
also what `fastavro.schema.fingerprint` returns. It is not the hex of the number
printed big-endian.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastavro.schema import fingerprint as avro_fingerprint
from fastavro.schema import load_schema, to_parsing_canonical_form

from eventing.errors import UnknownEventType, UnknownSchema

FINGERPRINT_ALGORITHM = "CRC-64-AVRO"
FINGERPRINT_SIZE = 8
SCHEMA_FILE_SUFFIX = ".avsc"


@dataclass(frozen=True, slots=True, eq=False)
class RegisteredSchema:
    """One event's writer schema together with the identity consumers resolve it by."""

    full_name: str
    # fastavro's parsed form; reusing it spares a parse on every message.
    parsed: dict[str, Any]
    canonical_form: str
    fingerprint: bytes
    # The schema with its docs, defaults and logical types, for consumers to download;
    # the canonical form drops all three.
    document: dict[str, Any]

    @classmethod
    def from_parsed(cls, parsed: dict[str, Any]) -> RegisteredSchema:
        canonical_form = to_parsing_canonical_form(parsed)
        fingerprint = bytes.fromhex(avro_fingerprint(canonical_form, FINGERPRINT_ALGORITHM))
        # The keys fastavro adds for itself ("__fastavro_parsed", ...) are not Avro.
        document = {key: copy.deepcopy(value) for key, value in parsed.items() if not key.startswith("__")}
        return cls(parsed["name"], parsed, canonical_form, fingerprint, document)

    @property
    def event_type(self) -> str:
        """The record's simple name, e.g. `ItemCreated`; equal to the domain event's `type_name`."""
        return self.full_name.rpartition(".")[2]

    @property
    def fingerprint_hex(self) -> str:
        return self.fingerprint.hex()


class SchemaRegistry:
    """The writer schemas of the events this service publishes."""

    def __init__(self, schemas: Iterable[RegisteredSchema]) -> None:
        self._by_type: dict[str, RegisteredSchema] = {}
        self._by_fingerprint: dict[bytes, RegisteredSchema] = {}
        for schema in schemas:
            if schema.event_type in self._by_type or schema.fingerprint in self._by_fingerprint:
                raise ValueError(f"schema {schema.full_name} is registered twice")
            self._by_type[schema.event_type] = schema
            self._by_fingerprint[schema.fingerprint] = schema

    @classmethod
    def load(cls, directory: Path, full_names: Iterable[str]) -> SchemaRegistry:
        """Read `<full name>.avsc` for each name; named types come from sibling files alike."""
        return cls(_load_one(directory, full_name) for full_name in full_names)

    def writer(self, event_type: str) -> RegisteredSchema:
        try:
            return self._by_type[event_type]
        except KeyError:
            raise UnknownEventType(f"no schema for event type {event_type!r}") from None

    def by_fingerprint(self, fingerprint: bytes | str) -> RegisteredSchema:
        """Find a schema by its 8 fingerprint bytes or their 16-character hex form."""
        key = _fingerprint_bytes(fingerprint)
        try:
            return self._by_fingerprint[key]
        except KeyError:
            raise UnknownSchema(f"unknown schema fingerprint {key.hex()}") from None

    def schemas(self) -> list[RegisteredSchema]:
        """Every registered schema, sorted by full name."""
        return sorted(self._by_type.values(), key=lambda schema: schema.full_name)


def _load_one(directory: Path, full_name: str) -> RegisteredSchema:
    parsed = load_schema(str(directory / f"{full_name}{SCHEMA_FILE_SUFFIX}"))
    if not isinstance(parsed, dict) or parsed.get("name") != full_name:
        raise ValueError(f"{full_name}{SCHEMA_FILE_SUFFIX} does not define the record {full_name}")
    return RegisteredSchema.from_parsed(parsed)


def _fingerprint_bytes(fingerprint: bytes | str) -> bytes:
    if isinstance(fingerprint, str):
        try:
            fingerprint = bytes.fromhex(fingerprint)
        except ValueError:
            raise UnknownSchema(f"malformed schema fingerprint {fingerprint!r}") from None
    if len(fingerprint) != FINGERPRINT_SIZE:
        raise UnknownSchema(f"a schema fingerprint has {FINGERPRINT_SIZE} bytes, not {len(fingerprint)}")
    return fingerprint
