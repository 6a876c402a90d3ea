"""The ledger of applied `ce-id`s, read and written inside the handler's own transaction."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import Column, Connection, DateTime, Engine, Index, MetaData, String, Table, delete, select

metadata = MetaData()

processed_events = Table(
    "processed_events",
    metadata,
    # Per consumer: two consumers sharing a database each apply every event once.
    Column("consumer", String(200), primary_key=True),
    Column("event_id", String(64), primary_key=True),
    Column("processed_at", DateTime(timezone=True), nullable=False),
    Index("ix_processed_events_processed_at", "processed_at"),
)


class ProcessedEvents:
    """One consumer's view of the ledger; a row exists exactly when the event's effects are committed."""

    def __init__(self, consumer: str, retention: timedelta) -> None:
        self._consumer = consumer
        self._retention = retention

    @staticmethod
    def create_table(engine: Engine) -> None:
        """For a service without migrations; one with Alembic adds `metadata` to its own instead."""
        metadata.create_all(engine, checkfirst=True)

    def seen(self, connection: Connection, event_ids: Collection[str]) -> set[str]:
        """Which of these events were already applied."""
        rows = connection.execute(
            select(processed_events.c.event_id).where(
                processed_events.c.consumer == self._consumer,
                processed_events.c.event_id.in_(event_ids),
            )
        )
        return set(rows.scalars())

    def record(self, connection: Connection, event_ids: Collection[str], now: datetime) -> None:
        """A concurrent consumer recording the same id makes this fail, and its transaction roll back."""
        if event_ids:
            row = {"consumer": self._consumer, "processed_at": now}
            connection.execute(processed_events.insert(), [{**row, "event_id": event_id} for event_id in event_ids])

    def prune(self, connection: Connection, now: datetime) -> int:
        """Forget ids older than the retention: by then no redelivery or replay can bring them back."""
        result = connection.execute(
            delete(processed_events).where(
                processed_events.c.consumer == self._consumer,
                processed_events.c.processed_at < now - self._retention,
            )
        )
        return result.rowcount
