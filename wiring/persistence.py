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
        return create_database_engine(settings)

    @singleton
    @provider
    def engines(self, engine: Engine) -> Engines:
        return Engines.of(engine)

    @request
    @provider
    def unit_of_work(self, engines: Engines, outbox: OutboxWriter) -> UnitOfWork:
        return SqlUnitOfWork(engines, outbox)
