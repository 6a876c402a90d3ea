"""Writes the events of a transaction into the outbox, inside that same transaction."""

from __future__ import annotations

from typing import Protocol

from adapters.sql_session import SqlSession
from adapters.tables import outbox
from domain.events import DomainEvent
from eventing.outbox_message import OutboxMessage
from observability.request_context import current_traceparent

NOTIFY_CHANNEL = "items_outbox"
"""PostgreSQL channel the relay LISTENs on. Migration 0003's trigger NOTIFYs it on every insert
into the outbox; PostgreSQL delivers the notification only when the write commits."""


class EventEncoder(Protocol):
    """Turns a domain event into an outbox row."""

    def encode(self, event: DomainEvent) -> OutboxMessage: ...


class OutboxWriter:
    """Inserts one outbox row per event, at commit with the aggregates' own rows; never publishes."""

    def __init__(self, encoder: EventEncoder) -> None:
        self._encoder = encoder

    def write(self, session: SqlSession, events: list[DomainEvent]) -> None:
        if not events:
            return
        rows = [self._encoder.encode(event).as_row() for event in events]
        trace = current_traceparent()
        if trace:
            # The request's span: the relay's publish continues its trace, and consumers that of the publish.
            for row in rows:
                row["headers"] = {**row["headers"], "traceparent": trace}
        session.insert(outbox, rows)
