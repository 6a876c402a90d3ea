"""The example projection wired to a test's broker objects and database."""

from __future__ import annotations

from sqlalchemy import select

from examples.catalog_projection.catalog import CatalogSummary
from examples.catalog_projection.catalog_service import CatalogService, build_catalog_service, catalog_summary
from examples.catalog_projection.catalog_settings import CatalogSettings
from examples.catalog_projection.catalog_tables import catalog_items
from items_events.config import ConsumerConfig
from tests.consumer.item_events import service_writers


def catalog_settings(config: ConsumerConfig, database_url: str, schemas_url: str | None = None) -> CatalogSettings:
    """The projection's settings matching the queue the test declared (same arguments, or 406)."""
    return CatalogSettings(
        database_url=database_url,
        schemas_url=schemas_url or "http://127.0.0.1:9/v1/schemas",
        amqp_url=config.amqp_url,
        exchange=config.exchange,
        queue=config.queue,
        prefetch=config.prefetch,
        max_batch=config.max_batch,
        delivery_limit=config.delivery_limit,
    )


def catalog(settings: CatalogSettings) -> CatalogService:
    """The projection, reading writer schemas from this repository instead of a running service."""
    return build_catalog_service(settings, writers=service_writers())


def summary(settings: CatalogSettings) -> CatalogSummary:
    return catalog_summary(settings)


def versions(service: CatalogService) -> dict[str, tuple[int, bool]]:
    """Item id → (version, deleted) as the projection holds them."""
    with service.engine.connect() as connection:
        rows = connection.execute(select(catalog_items.c.id, catalog_items.c.version, catalog_items.c.deleted))
        return {str(item_id): (version, deleted) for item_id, version, deleted in rows}
