"""Reading an event body back: find its writer schema by fingerprint, then decode."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastavro.types import Schema

from items_events.event_decoder import WriterSchemas
from items_events.schemas import RegisteredSchema
from items_events.single_object import decode, read_fingerprint


@dataclass(frozen=True, slots=True)
class DecodedEvent:
    """A decoded body and the writer schema it was encoded with."""

    schema: RegisteredSchema
    record: dict[str, Any]


def decode_event(body: bytes, writers: WriterSchemas, reader_schema: Schema | None = None) -> DecodedEvent:
    """Decode a body, resolved to `reader_schema` (best parsed once by the caller) when given.

    Raises `UndecodableEvent`, or its subclass `UnknownSchema` for a fingerprint the registry lacks.
    """
    schema = writers.by_fingerprint(read_fingerprint(body))
    return DecodedEvent(schema, decode(body, schema.parsed, reader_schema))
