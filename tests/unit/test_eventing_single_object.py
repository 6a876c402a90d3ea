"""The single-object byte layout and the errors on bodies that are not one."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from fastavro import schemaless_writer

from domain.item import ItemCreated
from items_events.errors import UndecodableEvent
from items_events.schemas import RegisteredSchema
from items_events.single_object import decode, encode, read_fingerprint

from .eventing_support import item_with_history, registry


def record() -> dict[str, Any]:
    return ItemCreated(item_with_history()).record()


@pytest.fixture
def schema() -> RegisteredSchema:
    return registry().writer("items.v1.ItemCreated")


def test_body_is_magic_then_fingerprint_then_the_plain_datum(schema: RegisteredSchema) -> None:
    body = encode(record(), schema.parsed, schema.fingerprint)
    datum = BytesIO()
    schemaless_writer(datum, schema.parsed, record())
    assert body[:2] == b"\xc3\x01"
    assert body[2:10] == schema.fingerprint
    assert body[10:] == datum.getvalue()
    assert read_fingerprint(body) == schema.fingerprint


def test_decode_reads_back_what_encode_wrote(schema: RegisteredSchema) -> None:
    body = encode(record(), schema.parsed, schema.fingerprint)
    assert decode(body, schema.parsed) == record()


@pytest.mark.parametrize("body", [b"", b"\xc3", b"\xc3\x01" + b"\x00" * 7])
def test_short_bodies_are_undecodable(body: bytes) -> None:
    with pytest.raises(UndecodableEvent, match="at least 10 bytes"):
        read_fingerprint(body)


@pytest.mark.parametrize("magic", [b"\xc3\x00", b"\x00\x01", b"\x01\xc3", b'{"'])
def test_a_wrong_magic_is_undecodable(magic: bytes, schema: RegisteredSchema) -> None:
    body = magic + encode(record(), schema.parsed, schema.fingerprint)[2:]
    with pytest.raises(UndecodableEvent, match="not single-object encoded"):
        decode(body, schema.parsed)


@pytest.mark.parametrize("cut", [1, 5, 30])
def test_a_truncated_body_is_undecodable(cut: int, schema: RegisteredSchema) -> None:
    body = encode(record(), schema.parsed, schema.fingerprint)
    with pytest.raises(UndecodableEvent):
        decode(body[:-cut], schema.parsed)


def test_bytes_after_the_record_are_undecodable(schema: RegisteredSchema) -> None:
    body = encode(record(), schema.parsed, schema.fingerprint)
    with pytest.raises(UndecodableEvent, match="1 bytes left"):
        decode(body + b"\x00", schema.parsed)


def test_garbage_after_a_valid_header_is_undecodable(schema: RegisteredSchema) -> None:
    with pytest.raises(UndecodableEvent):
        decode(b"\xc3\x01" + schema.fingerprint + b"\xff" * 40, schema.parsed)


def test_a_field_the_schema_lacks_is_refused_not_dropped(schema: RegisteredSchema) -> None:
    unexpected = record()
    unexpected["item"]["colour"] = "blue"
    with pytest.raises(ValueError, match="colour"):
        encode(unexpected, schema.parsed, schema.fingerprint)


def test_a_fingerprint_must_have_eight_bytes(schema: RegisteredSchema) -> None:
    with pytest.raises(ValueError, match="8 bytes"):
        encode(record(), schema.parsed, schema.fingerprint_hex.encode())
