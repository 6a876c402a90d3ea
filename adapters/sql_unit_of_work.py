"""The SQL unit of work: one connection and one transaction per `with` block."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, Engine

from adapters.database import WRITE
from adapters.idempotency_store import SqlIdempotencyStore
from adapters.items_repository import SqlItemsRepository
from adapters.outbox_writer import OutboxWriter
from domain.events import ItemEvent
from providers.ports import Transaction, UnitOfWork


class SqlTransaction(Transaction):
    """Repositories bound to one open transaction."""

    def __init__(self, connection: Connection, outbox: OutboxWriter) -> None:
        self._connection = connection
        self._outbox = outbox
        self.items = SqlItemsRepository(connection)
        self.idempotency = SqlIdempotencyStore(connection)

    def _commit(self, events: list[ItemEvent]) -> None:
        self._outbox.write(self._connection, events)
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

    def __init__(self, engines: Engines, outbox: OutboxWriter) -> None:
        self._engines = engines
        self._outbox = outbox

    def read(self) -> AbstractContextManager[Transaction]:
        return self._open(self._engines.reader)

    def write(self) -> AbstractContextManager[Transaction]:
        return self._open(self._engines.writer)

    @contextmanager
    def _open(self, engine: Engine) -> Iterator[Transaction]:
        with engine.connect() as connection:
            # Leaving without commit() rolls back when the connection closes.
            yield SqlTransaction(connection, self._outbox)
