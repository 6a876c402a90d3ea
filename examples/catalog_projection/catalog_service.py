"""Builds the projection from its settings: its database, its tables and its consumer."""

from __future__ import annotations

from dataclasses import dataclass

from injector import Binder, Injector, Module, singleton
from sqlalchemy import Engine

from adapters.database import create_database_engine
from consumer import ConsumerRunner, load_reader_schemas
from eventing.item_events import ITEM_EVENT_SCHEMAS
from examples.catalog_projection.catalog import Catalog, CatalogSummary
from examples.catalog_projection.catalog_handlers import handlers
from examples.catalog_projection.catalog_settings import CatalogSettings
from examples.catalog_projection.catalog_tables import create_catalog_tables
from settings import load_settings
from wiring.messaging import SCHEMAS_DIR


class CatalogModule(Module):
    """What the handlers get injected."""

    def configure(self, binder: Binder) -> None:
        binder.bind(Catalog, to=Catalog, scope=singleton)


@dataclass(frozen=True, slots=True)
class CatalogService:
    """The consumer and the engine it owns."""

    runner: ConsumerRunner
    engine: Engine

    def run(self) -> None:
        try:
            self.runner.run()
        finally:
            self.engine.dispose()


def catalog_engine(settings: CatalogSettings) -> Engine:
    """SQLite in WAL mode or PostgreSQL through psycopg 3, built as the Items service builds its own."""
    return create_database_engine(load_settings(database_url=settings.database_url, db_pool_size=2))


def build_catalog_service(settings: CatalogSettings) -> CatalogService:
    engine = catalog_engine(settings)
    create_catalog_tables(engine)
    runner = ConsumerRunner(
        settings.consumer_config(),
        handlers,
        engine,
        injector=Injector([CatalogModule()]),
        # The schemas this projection was written against; a later writer schema still
        # decodes into them through Avro schema resolution.
        readers=load_reader_schemas(SCHEMAS_DIR, ITEM_EVENT_SCHEMAS),
    )
    return CatalogService(runner, engine)


def catalog_summary(settings: CatalogSettings) -> CatalogSummary:
    engine = catalog_engine(settings)
    try:
        create_catalog_tables(engine)
        with engine.connect() as connection:
            return Catalog().summary(connection, settings.queue)
    finally:
        engine.dispose()
