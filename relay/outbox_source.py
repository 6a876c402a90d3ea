"""Reads pending outbox rows in seq order and marks confirmed ones published, in batches.

Progress is never a seq high-water mark: sequence values are taken at insert time
but become visible at commit, so a row with a lower seq can appear after a higher one
was read. Every read therefore selects all pending rows again (`published_at IS NULL`,
served by the partial index `ix_outbox_pending`), minus the ones already in flight.

Both statements are built once: the relay runs them for every wake-up, and building and
cache-keying a Core statement costs more CPU than PostgreSQL spends answering it. On
PostgreSQL both go further: their compiled SQL runs straight on the driver, as prepared
statements on one cursor kept with the connection, and the read's rows are the message's
columns as psycopg decodes them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from typing import Any

import psycopg
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Engine,
    Select,
    String,
    Update,
    any_,
    bindparam,
    func,
    not_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from adapters.database import WRITE
from adapters.outbox_rows import MESSAGE_COLUMNS, PendingEvent
from adapters.tables import outbox

_INDEX_WALK = "SET enable_bitmapscan = off"
"""For the kept connection only. The pending read then walks `ix_outbox_pending` in seq order,
which needs no sort and, as a plain index scan, marks the entries of rows published since the
last vacuum dead as it passes them. A bitmap scan, which the planner prefers for the few rows it
expects, never does: it revisits every row published since the last vacuum on each read, so
reads grew to milliseconds under steady writes. Retention runs on other connections, unaffected.
"""


class OutboxSource:
    """The relay's only access to the outbox table for publishing."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._postgres = engine.dialect.name == "postgresql"
        self._kept: Connection | None = None
        self._cursor: psycopg.Cursor[Any] | None = None
        """The kept connection's one driver cursor: a new cursor per statement costs a quarter of a read."""
        self._pending = (
            select(*MESSAGE_COLUMNS)
            .where(outbox.c.published_at.is_(None), not_(self._seq_in("excluded")))
            .order_by(outbox.c.seq)
            .limit(bindparam("limit", type_=BigInteger))
        )
        self._mark = update(outbox).where(self._seq_in("marked")).values(published_at=bindparam("now"))
        self._pending_sql = self._driver_sql(self._pending)
        self._mark_sql = self._driver_sql(self._mark)

    def pending(self, limit: int, exclude: Collection[int]) -> list[PendingEvent]:
        """Up to `limit` unpublished rows in seq order, skipping the seqs in `exclude`."""
        parameters = {"limit": limit, "excluded": self._seqs(exclude)}
        with self._connection(write=False) as connection:
            if self._postgres:
                rows: list[Any] = self._run_on_driver(connection, self._pending_sql, parameters)
            else:
                rows = list(connection.execute(self._pending, parameters).all())
        return [PendingEvent(*row) for row in rows]

    def mark_published(self, seqs: Collection[int], now: datetime) -> None:
        """One UPDATE for the whole batch of confirmed rows."""
        if not seqs:
            return
        parameters = {"marked": self._seqs(seqs), "now": now}
        with self._connection(write=True) as connection:
            if self._postgres:
                self._run_on_driver(connection, self._mark_sql, parameters)
            else:
                connection.execute(self._mark, parameters)

    def close(self) -> None:
        self._cursor = None
        if self._kept is not None:
            # Closed for good, not handed back to the pool: its session settings are the reader's own.
            self._kept.invalidate()
            self._kept.close()
            self._kept = None

    def _connection(self, write: bool) -> AbstractContextManager[Connection]:
        if self._postgres:
            return self._kept_connection()
        # SQLite: a transaction per call; a writer takes the lock up front.
        return (self._engine.execution_options(**{WRITE: True}) if write else self._engine).begin()

    @contextmanager
    def _kept_connection(self) -> Iterator[Connection]:
        """PostgreSQL: one autocommit connection kept between calls, so that each read or
        mark (a single statement) is one round trip, without a pool checkout, a ping or
        BEGIN/COMMIT; any error drops it and the next call connects again."""
        if self._kept is None:
            self._kept = self._engine.execution_options(isolation_level="AUTOCOMMIT").connect()
            try:
                self._kept.exec_driver_sql(_INDEX_WALK)
            except SQLAlchemyError:
                self.close()
                raise
        try:
            yield self._kept
        except SQLAlchemyError:
            self.close()
            raise

    def _driver_sql(self, statement: Select[Any] | Update) -> str:
        return str(statement.compile(dialect=self._engine.dialect)) if self._postgres else ""

    def _seq_in(self, name: str) -> ColumnElement[bool]:
        # One bound parameter whatever the count: statements stay cacheable, and no
        # driver limit on the number of parameters applies.
        if self._postgres:
            return outbox.c.seq == any_(bindparam(name, type_=ARRAY(BigInteger)))
        listed = select(text("value")).select_from(func.json_each(bindparam(name, type_=String)))
        return outbox.c.seq.in_(listed.scalar_subquery())

    def _seqs(self, seqs: Collection[int]) -> str:
        """The value of a `_seq_in` parameter: an array literal that the SQL casts to BIGINT[] on
        PostgreSQL (psycopg would inspect every element of a list to pick the array's type), a
        JSON list on SQLite."""
        listed = ",".join(map(str, seqs))
        return f"{{{listed}}}" if self._postgres else f"[{listed}]"

    def _run_on_driver(self, connection: Connection, sql: str, parameters: dict[str, Any]) -> list[tuple[Any, ...]]:
        """The rows of `sql` (none for an UPDATE), prepared on first use; a driver error surfaces as
        SQLAlchemy's, as elsewhere."""
        try:
            if self._cursor is None:
                driver: psycopg.Connection[Any] = connection.connection.driver_connection  # type: ignore[assignment]
                self._cursor = driver.cursor()
            cursor = self._cursor.execute(sql, parameters, prepare=True)
            return cursor.fetchall() if cursor.description is not None else []
        except psycopg.Error as exc:
            raise DBAPIError.instance(sql, parameters, exc, psycopg.Error) from exc
