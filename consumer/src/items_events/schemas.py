"""Avro writer schemas and the fingerprint that names each one in a message body.

A fingerprint is the CRC-64-AVRO (Rabin) fingerprint of the schema's Parsing Canonical
Form as the 8 little-endian bytes that the single-object encoding puts after its magic.
Its text form, in headers and URLs, is always the lower-case hex of those same 8 bytes in
that same order (16 characters), which is also what `fastavro.schema.fingerprint`
returns. It is not the hex of the number printed big-endian.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastavro.schema import fingerprint as avro_fingerprint
from fastavro.schema import load_schema, parse_schema, to_parsing_canonical_form

from items_events.errors import UnknownSchema

FINGERPRINT_ALGORITHM = "CRC-64-AVRO"
FINGERPRINT_SIZE = 8
SCHEMA_FILE_SUFFIX = ".avsc"


@dataclass(frozen=True, slots=True, eq=False)
class RegisteredSchema:
    """One record schema together with the identity readers resolve it by."""

    full_name: str
    # fastavro's parsed form; reusing it spares a parse on every message.
    parsed: dict[str, Any]
    canonical_form: str
    fingerprint: bytes
    # The schema with its docs, defaults and logical types; the canonical form drops all three.
    document: dict[str, Any]

    @classmethod
    def from_parsed(cls, parsed: dict[str, Any]) -> RegisteredSchema:
        canonical_form = to_parsing_canonical_form(parsed)
        fingerprint = bytes.fromhex(avro_fingerprint(canonical_form, FINGERPRINT_ALGORITHM))
        # The keys fastavro adds for itself ("__fastavro_parsed", ...) are not Avro.
        document = {key: copy.deepcopy(value) for key, value in parsed.items() if not key.startswith("__")}
        return cls(parsed["name"], parsed, canonical_form, fingerprint, document)

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> RegisteredSchema:
        """A self-contained record schema (every named type inlined), such as `GET /v1/schemas/{fp}` serves."""
        parsed = parse_schema(document)
        if not isinstance(parsed, dict) or parsed.get("type") != "record":
            raise ValueError("not a record schema")
        return cls.from_parsed(parsed)

    @classmethod
    def from_file(cls, path: Path) -> RegisteredSchema:
        """A `.avsc` record; named types it refers to are read from sibling `<full name>.avsc` files."""
        parsed = load_schema(str(path))
        if not isinstance(parsed, dict) or parsed.get("type") != "record":
            raise ValueError(f"{path} does not define a record")
        return cls.from_parsed(parsed)

    @property
    def event_type(self) -> str:
        """The record's simple name, e.g. `ItemCreated`."""
        return self.full_name.rpartition(".")[2]

    @property
    def fingerprint_hex(self) -> str:
        return self.fingerprint.hex()


def fingerprint_hex(fingerprint: bytes | str) -> str:
    """The 16-character form of 8 fingerprint bytes or of a hex string, checked."""
    if isinstance(fingerprint, str):
        try:
            fingerprint = bytes.fromhex(fingerprint)
        except ValueError:
            raise UnknownSchema(f"malformed schema fingerprint {fingerprint!r}") from None
    if len(fingerprint) != FINGERPRINT_SIZE:
        raise UnknownSchema(f"a schema fingerprint has {FINGERPRINT_SIZE} bytes, not {len(fingerprint)}")
    return fingerprint.hex()


class KnownWriterSchemas:
    """A set of writer schemas found by fingerprint; `add` grows it (fetched schemas are kept for good)."""

    def __init__(self, schemas: Iterable[RegisteredSchema] = ()) -> None:
        self._by_fingerprint = {schema.fingerprint_hex: schema for schema in schemas}

    @classmethod
    def from_files(cls, paths: Iterable[Path]) -> KnownWriterSchemas:
        """Writer schemas you keep as `.avsc` files, e.g. to consume without reaching the producer."""
        return cls(RegisteredSchema.from_file(path) for path in paths)

    def by_fingerprint(self, fingerprint: bytes | str) -> RegisteredSchema:
        key = fingerprint_hex(fingerprint)
        try:
            return self._by_fingerprint[key]
        except KeyError:
            raise UnknownSchema(f"unknown schema fingerprint {key}") from None

    def add(self, schema: RegisteredSchema) -> None:
        self._by_fingerprint[schema.fingerprint_hex] = schema

    def __iter__(self) -> Iterator[RegisteredSchema]:
        return iter(self._by_fingerprint.values())
