"""Binds the database engine (one per process) and the request-scoped unit of work."""

from __future__ import annotations

from flask_injector import request
from injector import Module, provider, singleton
from sqlalchemy import Engine

from adapters.database import create_database_engine
from adapters.outbox_writer import OutboxWriter
from adapters.sql_unit_of_work import Engines, SqlUnitOfWork
from providers.ports import UnitOfWork
from settings import Settings


class PersistenceModule(Module):
    @singleton
    @provider
    def engine(self, settings: Settings) -> Engine:
        # The API's queries are short: one that hangs gets a 503 instead of holding a worker.
        return create_database_engine(settings, statement_timeout_ms=settings.db_statement_timeout_ms)

    @singleton
    @provider
    def engines(self, engine: Engine) -> Engines:
        return Engines.of(engine)

    @request
    @provider
    def unit_of_work(self, engines: Engines, outbox: OutboxWriter) -> UnitOfWork:
        return SqlUnitOfWork(engines, outbox)
