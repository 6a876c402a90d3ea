"""The SQL unit of work: one connection and one transaction per `with` block."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine

from adapters.database import WRITE
from adapters.idempotency_store import SqlIdempotencyStore
from adapters.outbox_writer import OutboxWriter
from adapters.sql_repository import SqlRepository
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

    def __init__(self, connection: Connection, outbox: OutboxWriter, implementations: Implementations) -> None:
        self._connection = connection
        self._outbox = outbox
        self._implementations = implementations
        self._repositories: dict[type, SqlRepository[Any]] = {}
        self.idempotency = SqlIdempotencyStore(connection)

    def repository(self, port: type[R]) -> R:
        repository = self._repositories.get(port)
        if repository is None:
            repository = self._repositories[port] = self._implementations.of(port)(self._connection)
        return repository  # type: ignore[return-value]  # implements `port`, by its registration

    def commit(self) -> None:
        touched = [aggregate for repository in self._repositories.values() for aggregate in repository.touched]
        self._outbox.write(self._connection, take_events(touched))
        self._connection.commit()


@dataclass(frozen=True, slots=True)
class Engines:
    """The engine, and a view of it whose transactions announce a write (built once per process)."""

    reader: Engine
    writer: Engine

    @classmethod
    def of(cls, engine: Engine) -> Engines:
        return cls(engine, engine.execution_options(**{WRITE: True}))


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
            yield SqlTransaction(connection, self._outbox, self._implementations)
