"""Domain events turned into outbox messages: an Avro single-object payload plus CloudEvents headers."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from uuid6 import uuid7

from domain.events import DomainEvent
from eventing.event_catalog import EventCatalog
from eventing.outbox_message import OutboxMessage
from items_events.cloudevents import cloudevent_headers
from items_events.single_object import encode


class EventEncoder:
    """Encodes any declared event; one instance serves the whole process."""

    def __init__(
        self,
        catalog: EventCatalog,
        source: str,
        schemas_url: str,
        new_event_id: Callable[[], UUID] = uuid7,
    ) -> None:
        self._catalog = catalog
        self._source = source
        self._schemas_url = schemas_url.rstrip("/")
        # Time-ordered ids keep the outbox's unique index on event_id append-only.
        self._new_event_id = new_event_id

    def encode(self, event: DomainEvent) -> OutboxMessage:
        """Encode one event; it occurred when its write did."""
        published = self._catalog.of(event)
        schema = published.schema
        event_id = self._new_event_id()
        headers = cloudevent_headers(
            event_id=event_id,
            source=self._source,
            event_type=schema.full_name,
            time=event.occurred_at,
            subject=event.subject,
            dataschema=f"{self._schemas_url}/{schema.fingerprint_hex}",
        )
        return OutboxMessage(
            event_id=event_id,
            aggregate_id=event.aggregate_id,
            aggregate_version=event.aggregate_version,
            event_type=published.name,
            routing_key=published.routing_key,
            payload=encode(event.record(), schema.parsed, schema.fingerprint),
            schema_fingerprint=schema.fingerprint_hex,
            headers=headers,
            occurred_at=event.occurred_at,
        )
