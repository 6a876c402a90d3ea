"""Builds the projection from its settings: its database, its tables and its consumer."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from examples.catalog_projection.catalog import Catalog, CatalogSummary
from examples.catalog_projection.catalog_handlers import handlers
from examples.catalog_projection.catalog_settings import HERE, CatalogSettings
from examples.catalog_projection.catalog_tables import create_catalog_tables
from items_events import ConsumerRunner, FetchingWriterSchemas, create_consumer_engine, load_reader_schemas
from items_events.event_decoder import WriterSchemas

READER_SCHEMAS_DIR = HERE / "reader_schemas"
"""The schemas this projection was written against; later writer schemas decode into them."""


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

    def stop(self) -> None:
        self.runner.stop()


def build_catalog_service(settings: CatalogSettings, writers: WriterSchemas | None = None) -> CatalogService:
    engine = create_consumer_engine(settings.database_url)
    create_catalog_tables(engine)
    runner = ConsumerRunner(
        settings.consumer_config(),
        handlers,
        engine,
        writers=writers or FetchingWriterSchemas(settings.schemas_url),
        readers=load_reader_schemas(READER_SCHEMAS_DIR, sorted(handlers.event_types())),
    )
    return CatalogService(runner, engine)


def catalog_summary(settings: CatalogSettings) -> CatalogSummary:
    engine = create_consumer_engine(settings.database_url)
    try:
        create_catalog_tables(engine)
        with engine.connect() as connection:
            return Catalog().summary(connection, settings.queue)
    finally:
        engine.dispose()
