"""Deletes published outbox rows past their retention and expired Idempotency-Key records."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, select

from adapters.database import WRITE
from adapters.idempotency_store import purge_idempotency_keys
from adapters.tables import outbox


class Retention:
    """Bounded chunks, one transaction each, so no purge holds locks or the relay for long."""

    def __init__(
        self,
        engine: Engine,
        outbox_retention: timedelta,
        idempotency_ttl: timedelta,
        chunk_rows: int = 5000,
        max_chunks: int = 20,
    ) -> None:
        self._writer = engine.execution_options(**{WRITE: True})
        self._outbox_retention = outbox_retention
        self._idempotency_ttl = idempotency_ttl
        self._chunk_rows = chunk_rows
        self._max_chunks = max_chunks

    def run(self, now: datetime) -> int:
        """Delete at most `chunk_rows * max_chunks` outbox rows (the rest waits for the next run)."""
        cutoff = now - self._outbox_retention
        expired = (
            select(outbox.c.seq).where(outbox.c.published_at < cutoff).order_by(outbox.c.seq).limit(self._chunk_rows)
        )
        statement = delete(outbox).where(outbox.c.seq.in_(expired.scalar_subquery()))
        deleted = 0
        for _ in range(self._max_chunks):
            with self._writer.begin() as connection:
                count = connection.execute(statement).rowcount
            deleted += count
            if count < self._chunk_rows:
                break
        with self._writer.begin() as connection:
            purge_idempotency_keys(connection, now - self._idempotency_ttl)
        return deleted
