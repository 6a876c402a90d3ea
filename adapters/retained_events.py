"""Reads published outbox rows still within their retention, oldest seq first, for replaying."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, Engine, and_, func, select

from adapters.outbox_rows import MESSAGE_COLUMNS, PendingEvent
from adapters.tables import outbox


@dataclass(frozen=True, slots=True)
class ReplaySelection:
    """Which retained events to replay: `since <= occurred_at < until`, of the given types (all if empty)."""

    retained_after: datetime
    since: datetime | None = None
    until: datetime | None = None
    event_types: frozenset[str] = frozenset()

    def condition(self) -> ColumnElement[bool]:
        # Published and not yet old enough for the retention purge, whether or not it has run.
        conditions = [outbox.c.published_at.is_not(None), outbox.c.published_at >= _utc(self.retained_after)]
        if self.since is not None:
            conditions.append(outbox.c.occurred_at >= _utc(self.since))
        if self.until is not None:
            conditions.append(outbox.c.occurred_at < _utc(self.until))
        if self.event_types:
            conditions.append(outbox.c.event_type.in_(sorted(self.event_types)))
        return and_(*conditions)


class RetainedEvents:
    """The replay's read-only view of the outbox."""

    def __init__(self, engine: Engine, batch_size: int = 500) -> None:
        self._engine = engine
        self._batch_size = batch_size

    def count(self, selection: ReplaySelection) -> int:
        with self._engine.connect() as connection:
            return int(connection.execute(select(func.count()).where(selection.condition())).scalar_one())

    def read(self, selection: ReplaySelection) -> Iterator[PendingEvent]:
        """In seq order, a batch per short transaction (keyset on seq), so no read holds the table."""
        after = 0
        while True:
            query = (
                select(*MESSAGE_COLUMNS)
                .where(selection.condition(), outbox.c.seq > after)
                .order_by(outbox.c.seq)
                .limit(self._batch_size)
            )
            with self._engine.connect() as connection:
                rows = connection.execute(query).all()
            for row in rows:
                yield PendingEvent(*row)
            if len(rows) < self._batch_size:
                return
            after = rows[-1].seq


def _utc(moment: datetime) -> datetime:
    # SQLite compares the stored UTC text, so every bound time must be in UTC too.
    return moment.astimezone(UTC)
