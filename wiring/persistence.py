"""Binds the database engine, the unit of work, the clock and ids: one of each per process."""

from __future__ import annotations

from injector import Module, provider, singleton
from sqlalchemy import Engine

import adapters
from adapters.database import create_database_engine, transactional
from adapters.identity import SystemClock, UuidV7Ids
from adapters.outbox_writer import OutboxWriter
from adapters.sql_repository import SqlRepository
from adapters.sql_unit_of_work import Engines, Implementations, SqlUnitOfWork
from observability.tracing import trace_engine
from providers.ports import Clock, IdSource, UnitOfWork
from settings import Settings
from wiring.discovery import import_all


class PersistenceModule(Module):
    @singleton
    @provider
    def clock(self) -> Clock:
        return SystemClock()

    @singleton
    @provider
    def ids(self) -> IdSource:
        return UuidV7Ids()

    @singleton
    @provider
    def engines(self, settings: Settings) -> Engines:
        # The API's queries are short: one that hangs gets a 503 instead of holding a worker. Its
        # units of work run in autocommit and send BEGIN themselves when they need a transaction.
        engine = create_database_engine(
            settings, statement_timeout_ms=settings.db_statement_timeout_ms, autocommit=True
        )
        trace_engine(engine)
        return Engines.of(engine)

    @singleton
    @provider
    def engine(self, engines: Engines) -> Engine:
        """The same pool for everything else (health checks, the backlog): there `begin()` opens a transaction."""
        return transactional(engines.reader)

    @singleton
    @provider
    def repositories(self) -> Implementations:
        """Every SQL repository in `adapters/`, by the port it implements."""
        import_all(adapters)
        return Implementations(SqlRepository.implementations())

    @singleton
    @provider
    def unit_of_work(self, engines: Engines, outbox: OutboxWriter, repositories: Implementations) -> UnitOfWork:
        # Stateless: each `with` block borrows its own pooled connection, so no request needs its own.
        return SqlUnitOfWork(engines, outbox, repositories)
