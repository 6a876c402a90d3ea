"""What the test reads behind the API: current item versions and the outbox's publication marks."""

from __future__ import annotations

from sqlalchemy import Engine, select

from adapters.items_repository import items
from adapters.tables import outbox


def current_versions(engine: Engine) -> dict[str, int]:
    """Every item's id and its current version."""
    with engine.connect() as connection:
        return {str(row.id): int(row.version) for row in connection.execute(select(items.c.id, items.c.version))}


def publication_marks(engine: Engine) -> dict[str, float]:
    """When each published outbox row was marked published (seconds since the epoch), by event id."""
    query = select(outbox.c.event_id, outbox.c.published_at).where(outbox.c.published_at.is_not(None))
    with engine.connect() as connection:
        return {str(row.event_id): row.published_at.timestamp() for row in connection.execute(query)}
