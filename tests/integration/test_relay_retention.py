"""Retention deletes only published rows past their age, in chunks, and purges old Idempotency-Keys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, Engine, Table, func, insert, select, update

from adapters.tables import idempotency_keys, outbox
from relay.retention import Retention
from tests.integration.outbox_writes import OutboxWrites

NOW = datetime(2030, 1, 15, tzinfo=UTC)


def count(engine: Engine, table: Table, *where: ColumnElement[bool]) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table).where(*where)).scalar_one())


def test_only_published_rows_past_retention_are_deleted(writes: OutboxWrites) -> None:
    writes.create_many(25, prefix="OLD")
    with writes.engine.begin() as connection:
        seqs = sorted(connection.execute(select(outbox.c.seq)).scalars())
        old, recent = seqs[:12], seqs[12:20]  # the last 5 stay pending
        connection.execute(update(outbox).where(outbox.c.seq.in_(old)).values(published_at=NOW - timedelta(days=8)))
        connection.execute(update(outbox).where(outbox.c.seq.in_(recent)).values(published_at=NOW - timedelta(days=6)))
        for key, age in (("stale", timedelta(hours=25)), ("fresh", timedelta(hours=23))):
            row = {
                "caller": "ann",
                "key": key,
                "request_hash": "h",
                "resource_id": writes.any_item_id(),
                "version": 1,
                "response_body": "{}",
            }
            connection.execute(insert(idempotency_keys).values(**row, created_at=NOW - age))

    retention = Retention(writes.engine, timedelta(days=7), timedelta(hours=24), chunk_rows=5, max_chunks=2)
    assert retention.run(NOW) == 10  # two chunks of five; the rest waits for the next run
    assert retention.run(NOW) == 2
    assert retention.run(NOW) == 0

    assert count(writes.engine, outbox) == 13
    assert count(writes.engine, outbox, outbox.c.published_at.is_(None)) == 5
    with writes.engine.connect() as connection:
        assert connection.execute(select(idempotency_keys.c.key)).scalars().all() == ["fresh"]
