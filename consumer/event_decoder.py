"""Turns a delivery into a `ReceivedEvent`: writer schema by fingerprint, read into the consumer's schema."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from fastavro.types import Schema

from consumer.delivery import Delivery
from consumer.reader_schemas import check_reader_schemas
from consumer.received_event import ReceivedEvent
from eventing.errors import UndecodableEvent
from eventing.schema_registry import RegisteredSchema
from eventing.single_object import decode, read_fingerprint

EVENT_ID_HEADER = "ce-id"


class WriterSchemas(Protocol):
    """Where writer schemas come from: `KnownWriterSchemas.bundled()`, `FetchingWriterSchemas`, a `SchemaRegistry`."""

    def by_fingerprint(self, fingerprint: bytes | str) -> RegisteredSchema: ...


class EventDecoder:
    """Decodes with Avro schema resolution; `UndecodableEvent` marks a message no retry can read."""

    def __init__(self, writers: WriterSchemas, readers: Mapping[str, Schema] | None = None) -> None:
        # No reader for a type: read it as written (a consumer built against today's schemas).
        self._readers = dict(readers or {})
        check_reader_schemas(self._readers)
        self._writers = writers

    def writer_of(self, body: bytes) -> RegisteredSchema:
        """The body's writer schema; `UnknownSchema` for a fingerprint the registry lacks."""
        return self._writers.by_fingerprint(read_fingerprint(body))

    def decode(self, delivery: Delivery, writer: RegisteredSchema) -> ReceivedEvent:
        event_id = delivery.headers.get(EVENT_ID_HEADER) or delivery.message_id
        if not event_id:
            raise UndecodableEvent(f"no {EVENT_ID_HEADER} header nor message_id to deduplicate on")
        reader = self._readers.get(writer.event_type)
        record = decode(delivery.body, writer.parsed, reader)
        if not isinstance(record.get("item"), dict) or "version" not in record["item"]:
            raise UndecodableEvent(f"{writer.full_name} has no item version")
        return ReceivedEvent(
            event_id=str(event_id),
            event_type=writer.event_type,
            record=record,
            headers=delivery.headers,
            redelivered=delivery.redelivered,
        )
