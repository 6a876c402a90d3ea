"""The registry's fingerprints, lookups and served documents."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from fastavro.schema import parse_schema

from eventing.schema_registry import SchemaRegistry, UnknownEventType
from items_events.errors import UnknownSchema
from items_events.schemas import RegisteredSchema
from tests.events import event_schemas

from .eventing_support import SCHEMA_DIR, registry

# Changing one of these is changing the contract: consumers see a new `ce-dataschema`.
PINNED_FINGERPRINTS = {
    "categories.v1.CategoryCreated": "98349329799bb091",
    "categories.v1.CategoryDeleted": "4b318261e08997d5",
    "categories.v1.CategoryUpdated": "20bc0cc8222a6fe5",
    "items.v1.ItemCreated": "7f657863546ab4a8",
    "items.v1.ItemDeleted": "0e70ab5855c359be",
    "items.v1.ItemUpdated": "3f0beb263635b98b",
}
_EMPTY = 0xC15D213AA4D7A795
_MASK = 2**64 - 1


def crc64_avro(data: bytes) -> int:
    """The reference algorithm of the Avro specification, written out independently."""
    table = []
    for index in range(256):
        value = index
        for _ in range(8):
            value = (value >> 1) ^ (_EMPTY & -(value & 1))
        table.append(value)
    fingerprint = _EMPTY
    for byte in data:
        fingerprint = (fingerprint >> 8) ^ table[(fingerprint ^ byte) & 0xFF]
    return fingerprint


@pytest.mark.parametrize(
    ("canonical_form", "java_long"),
    [
        ('"null"', 7195948357588979594),
        ('{"name":"foo","type":"record","fields":[]}', -4824392279771201922),
        ('{"name":"x.y.foo","type":"record","fields":[]}', 5916914534497305771),
    ],
)
def test_reference_crc_matches_the_avro_test_vectors(canonical_form: str, java_long: int) -> None:
    assert crc64_avro(canonical_form.encode()) == java_long & _MASK


@pytest.mark.parametrize("event_type", PINNED_FINGERPRINTS)
def test_fingerprint_is_the_little_endian_crc_of_the_canonical_form(event_type: str) -> None:
    schema = registry().writer(event_type)
    expected = crc64_avro(schema.canonical_form.encode()).to_bytes(8, "little")
    assert schema.fingerprint == expected
    assert schema.fingerprint_hex == expected.hex()
    assert schema.fingerprint_hex == PINNED_FINGERPRINTS[event_type]


def test_canonical_form_uses_full_names_and_drops_docs() -> None:
    canonical = registry().writer("items.v1.ItemCreated").canonical_form
    assert canonical.startswith('{"name":"items.v1.ItemCreated","type":"record","fields":[')
    assert '"name":"items.v1.Money"' in canonical
    assert "doc" not in canonical and "logicalType" not in canonical and " " not in canonical


def test_lists_every_event_schema_sorted_by_name() -> None:
    listed = [(schema.full_name, schema.fingerprint_hex) for schema in registry().schemas()]
    expected = [(name, PINNED_FINGERPRINTS[name]) for name in event_schemas()]
    assert listed == sorted(expected)


def test_finds_a_schema_by_bytes_and_by_hex_in_either_case() -> None:
    schema = registry().writer("items.v1.ItemUpdated")
    assert registry().by_fingerprint(schema.fingerprint) is schema
    assert registry().by_fingerprint(schema.fingerprint_hex) is schema
    assert registry().by_fingerprint(schema.fingerprint_hex.upper()) is schema


@pytest.mark.parametrize("fingerprint", [b"\x00" * 8, "0000000000000000", "xyz", "59312c72", b"\x01" * 9, ""])
def test_unknown_or_malformed_fingerprints_are_unknown_schemas(fingerprint: bytes | str) -> None:
    with pytest.raises(UnknownSchema):
        registry().by_fingerprint(fingerprint)


def test_unknown_event_type_is_refused() -> None:
    with pytest.raises(UnknownEventType, match="ItemRenamed"):
        registry().writer("ItemRenamed")


@pytest.mark.parametrize("event_type", PINNED_FINGERPRINTS)
def test_document_keeps_docs_and_logical_types_and_has_the_same_fingerprint(event_type: str) -> None:
    schema = registry().writer(event_type)
    served = json.loads(json.dumps(schema.document))
    assert not any(key.startswith("__") for key in served)
    assert served["doc"]
    assert '"logicalType": "timestamp-micros"' in json.dumps(served)
    reparsed = parse_schema(served)
    assert isinstance(reparsed, dict)
    assert RegisteredSchema.from_parsed(reparsed).fingerprint == schema.fingerprint


def test_a_file_that_defines_another_record_is_refused(tmp_path: Path) -> None:
    shutil.copy(SCHEMA_DIR / "items.v1.Money.avsc", tmp_path / "items.v1.Price.avsc")
    with pytest.raises(ValueError, match=r"items\.v1\.Price"):
        SchemaRegistry.load(tmp_path, ["items.v1.Price"])


def test_the_same_schema_cannot_be_registered_twice() -> None:
    schema = registry().writer("items.v1.ItemCreated")
    with pytest.raises(ValueError, match="twice"):
        SchemaRegistry([schema, schema])
