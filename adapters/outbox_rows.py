"""An outbox row waiting to be published, and the AMQP message it becomes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from pika import BasicProperties, DeliveryMode

from adapters.tables import outbox
from items_events.cloudevents import TYPE_HEADER
from items_events.single_object import CONTENT_TYPE

MESSAGE_COLUMNS = (
    outbox.c.seq,
    outbox.c.event_id,
    outbox.c.event_type,
    outbox.c.routing_key,
    outbox.c.payload,
    outbox.c.headers,
    outbox.c.occurred_at,
)
"""The outbox columns a `PendingEvent` is made of, in its field order."""


@dataclass(frozen=True, slots=True)
class PendingEvent:
    """The columns of an unpublished outbox row that the message needs."""

    seq: int
    event_id: UUID
    event_type: str
    routing_key: str
    payload: bytes
    headers: dict[str, str]
    occurred_at: datetime

    def properties(self) -> BasicProperties:
        """Persistent, with the event id as `message_id` (consumers dedupe on it) and `ce-*` headers.

        `type` repeats `ce-type` (e.g. `items.v1.ItemCreated`) for tools that only show AMQP properties.
        """
        return BasicProperties(
            content_type=CONTENT_TYPE,
            delivery_mode=DeliveryMode.Persistent,
            message_id=str(self.event_id),
            timestamp=int(_aware(self.occurred_at).timestamp()),
            type=self.headers.get(TYPE_HEADER, self.event_type),
            headers=self.headers,
        )


def _aware(moment: datetime) -> datetime:
    # SQLite hands back the stored UTC time without its zone.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
