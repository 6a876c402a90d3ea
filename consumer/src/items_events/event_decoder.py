"""Turns a delivery into a `ReceivedEvent`: writer schema by fingerprint, read into the consumer's schema."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from fastavro.types import Schema

from items_events.cloudevents import ID_HEADER
from items_events.delivery import Delivery
from items_events.errors import UndecodableEvent
from items_events.received_event import ReceivedEvent
from items_events.schemas import RegisteredSchema
from items_events.single_object import decode, read_fingerprint


class WriterSchemas(Protocol):
    """Where writer schemas come from: `FetchingWriterSchemas` (the producer) or `KnownWriterSchemas`."""

    def by_fingerprint(self, fingerprint: bytes | str) -> RegisteredSchema: ...


class EventDecoder:
    """Decodes with Avro schema resolution; `UndecodableEvent` marks a message no retry can read."""

    def __init__(self, writers: WriterSchemas, readers: Mapping[str, Schema] | None = None) -> None:
        # No reader for a type: read it as written.
        self._readers = dict(readers or {})
        self._writers = writers

    def writer_of(self, body: bytes) -> RegisteredSchema:
        """The body's writer schema; `UnknownSchema` for a fingerprint nobody knows."""
        return self._writers.by_fingerprint(read_fingerprint(body))

    def decode(self, delivery: Delivery, writer: RegisteredSchema) -> ReceivedEvent:
        event_id = delivery.headers.get(ID_HEADER) or delivery.message_id
        if not event_id:
            raise UndecodableEvent(f"no {ID_HEADER} header nor message_id to deduplicate on")
        record = decode(delivery.body, writer.parsed, self._readers.get(writer.full_name))
        return ReceivedEvent(
            event_id=str(event_id),
            event_type=writer.full_name,
            record=record,
            headers=delivery.headers,
            redelivered=delivery.redelivered,
            exchange=delivery.exchange,
            routing_key=delivery.routing_key,
        )
