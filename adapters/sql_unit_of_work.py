"""The SQL unit of work: one connection and one transaction per `with` block."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from adapters.database import AUTOCOMMITS, WRITE
from adapters.idempotency_store import SqlIdempotencyStore
from adapters.outbox_writer import OutboxWriter
from adapters.sql_repository import SqlRepository
from adapters.sql_session import SqlSession
from domain.events import take_events
from providers.ports import R, Transaction, UnitOfWork


@dataclass(frozen=True, slots=True)
class Implementations:
    """Which SQL repository implements each repository port."""

    by_port: Mapping[type, type[SqlRepository[Any]]]

    def of(self, port: type) -> type[SqlRepository[Any]]:
        try:
            return self.by_port[port]
        except KeyError:
            raise LookupError(f"no SQL repository implements {port.__name__}") from None


class SqlTransaction(Transaction):
    """Repositories bound to one open transaction, made on first use."""

    def __init__(self, session: SqlSession, outbox: OutboxWriter, implementations: Implementations) -> None:
        self._session = session
        self._outbox = outbox
        self._implementations = implementations
        self._repositories: dict[type, SqlRepository[Any]] = {}
        self.idempotency = SqlIdempotencyStore(session)

    def repository(self, port: type[R]) -> R:
        repository = self._repositories.get(port)
        if repository is None:
            repository = self._repositories[port] = self._implementations.of(port)(self._session)
        return repository  # type: ignore[return-value]  # implements `port`, by its registration

    def commit(self) -> None:
        touched = [aggregate for repository in self._repositories.values() for aggregate in repository.touched]
        self._outbox.write(self._session, take_events(touched))
        self._session.commit()


@dataclass(frozen=True, slots=True)
class Engines:
    """Views of the engine for reads and for writes (built once per process).

    On PostgreSQL both are in autocommit and a write opens its transaction only when it
    needs one (`adapters/sql_session.py`): a read is then one round trip, not BEGIN, the
    query and ROLLBACK. On SQLite a write's transaction announces it, to take the lock up front.
    """

    reader: Engine
    writer: Engine
    begins_on_demand: bool

    @classmethod
    def of(cls, engine: Engine) -> Engines:
        if engine.dialect.name == "postgresql":
            if not engine.get_execution_options().get(AUTOCOMMITS, False):
                # A view could set autocommit per checkout, at a cost on every request.
                raise ValueError("units of work need an engine from create_database_engine(..., autocommit=True)")
            return cls(engine, engine, begins_on_demand=True)
        return cls(engine, engine.execution_options(**{WRITE: True}), begins_on_demand=False)


class SqlUnitOfWork(UnitOfWork):
    """Borrows a pooled connection per transaction and always gives it back."""

    def __init__(self, engines: Engines, outbox: OutboxWriter, implementations: Implementations) -> None:
        self._engines = engines
        self._outbox = outbox
        self._implementations = implementations

    def read(self) -> AbstractContextManager[Transaction]:
        return self._open(self._engines.reader)

    def write(self) -> AbstractContextManager[Transaction]:
        return self._open(self._engines.writer)

    @contextmanager
    def _open(self, engine: Engine) -> Iterator[Transaction]:
        with engine.connect() as connection:
            # Leaving without commit() rolls back when the connection closes.
            session = SqlSession(connection, self._engines.begins_on_demand)
            yield SqlTransaction(session, self._outbox, self._implementations)
