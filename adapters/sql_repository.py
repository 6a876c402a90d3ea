"""The base of SQL repositories: bound to one transaction, remembering every aggregate it touched.

A subclass names the port it implements (`class SqlItemsRepository(SqlRepository[Item],
ItemsRepository, port=ItemsRepository)`); the unit of work hands it out for that port, and on
commit writes the events of the aggregates it remembered to the outbox.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import Executable, Row, Select, Table, select
from sqlalchemy.exc import IntegrityError

from adapters.sql_session import SqlSession
from domain.events import Aggregate
from providers.ports import ListQuery

A = TypeVar("A", bound=Aggregate)


class SqlRepository(Generic[A]):
    """Holds the transaction's session and the aggregates read or written through it."""

    _implementations: ClassVar[dict[type, type[SqlRepository[Any]]]] = {}

    def __init_subclass__(cls, port: type | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if port is not None:
            if port in SqlRepository._implementations:
                raise TypeError(f"{port.__name__} has two SQL implementations")
            SqlRepository._implementations[port] = cls

    def __init__(self, session: SqlSession) -> None:
        self._session = session
        self.touched: list[A] = []

    @classmethod
    def implementations(cls) -> dict[type, type[SqlRepository[Any]]]:
        """Port -> SQL repository, for every repository module imported so far."""
        return dict(cls._implementations)

    def _row_by_id(
        self, by_id: Executable, lock_by_id: Executable, parameters: dict[str, Any], *, for_update: bool
    ) -> Row[Any] | None:
        """One aggregate's row; taking its lock opens the transaction (SQLite's writers hold the database lock)."""
        if for_update:
            return self._session.write(lock_by_id, parameters).first()
        return self._session.read(by_id, parameters).first()

    def _track(self, aggregate: A | None) -> A | None:
        if aggregate is not None:
            self.touched.append(aggregate)
        return aggregate


def keyset_page(table: Table, query: ListQuery) -> Select[Any]:
    """One page in id order (UUIDv7), after the last id of the page before."""
    statement = select(table).order_by(table.c.id).limit(query.limit)
    return statement if query.after is None else statement.where(table.c.id > query.after)


def utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def is_foreign_key_violation(error: IntegrityError) -> bool:
    """A row names one that does not exist (or no longer does); otherwise a uniqueness violation."""
    sqlstate = getattr(error.orig, "sqlstate", None)  # psycopg
    if sqlstate is not None:
        return bool(sqlstate == "23503")
    return "FOREIGN KEY" in str(error.orig).upper()  # sqlite3 says only "FOREIGN KEY constraint failed"
