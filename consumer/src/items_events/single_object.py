"""Avro single-object encoding: magic C3 01, the writer's 8-byte fingerprint, then the datum."""

from __future__ import annotations

from collections.abc import Mapping
from io import BytesIO
from typing import Any

from fastavro import schemaless_reader, schemaless_writer
from fastavro.read import SchemaResolutionError
from fastavro.types import Schema

from items_events.errors import UndecodableEvent
from items_events.schemas import FINGERPRINT_SIZE

MAGIC = b"\xc3\x01"
CONTENT_TYPE = "application/vnd.apache.avro+binary"
"""The AMQP `content_type` of a single-object encoded body (the CloudEvents `datacontenttype`)."""
HEADER_SIZE = len(MAGIC) + FINGERPRINT_SIZE

# What fastavro raises on bytes that do not match the writer schema or that a reader
# schema cannot resolve; a truncated body ends in EOFError, a bad string in ValueError.
_READ_ERRORS = (EOFError, IndexError, ValueError, OverflowError, SchemaResolutionError)


def encode(record: Mapping[str, Any], schema: Schema, fingerprint: bytes) -> bytes:
    """Encode one record; `schema` should be parsed once beforehand (the registry does)."""
    if len(fingerprint) != FINGERPRINT_SIZE:
        raise ValueError(f"a schema fingerprint has {FINGERPRINT_SIZE} bytes, not {len(fingerprint)}")
    buffer = BytesIO()
    buffer.write(MAGIC)
    buffer.write(fingerprint)
    # strict: a field the schema lacks is a bug in the mapping, not data to drop silently.
    schemaless_writer(buffer, schema, record, strict=True)
    return buffer.getvalue()


def read_fingerprint(body: bytes) -> bytes:
    """The writer schema's fingerprint from the header, checking the magic first."""
    if len(body) < HEADER_SIZE:
        raise UndecodableEvent(f"a single-object body has at least {HEADER_SIZE} bytes, not {len(body)}")
    magic = body[: len(MAGIC)]
    if magic != MAGIC:
        raise UndecodableEvent(f"not single-object encoded: starts with {magic.hex()}, not {MAGIC.hex()}")
    return bytes(body[len(MAGIC) : HEADER_SIZE])


def decode(body: bytes, writer_schema: Schema, reader_schema: Schema | None = None) -> dict[str, Any]:
    """Decode a body written with `writer_schema`, resolved to `reader_schema` when given.

    The caller picks `writer_schema` from the body's fingerprint; this does not compare them.
    """
    read_fingerprint(body)
    stream = BytesIO(body)
    stream.seek(HEADER_SIZE)
    try:
        record = schemaless_reader(stream, writer_schema, reader_schema)
    except _READ_ERRORS as exc:
        raise UndecodableEvent(f"body does not match its writer schema: {exc}") from exc
    if stream.tell() != len(body):
        raise UndecodableEvent(f"{len(body) - stream.tell()} bytes left after the record")
    if not isinstance(record, dict):
        raise UndecodableEvent("the writer schema is not a record")
    return record
