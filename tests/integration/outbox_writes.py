"""Item writes straight through the service's own provider and unit of work, without HTTP."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Engine, func, select
from uuid6 import uuid7

from adapters.items_repository import items
from adapters.outbox_writer import OutboxWriter
from adapters.sql_unit_of_work import Engines, Implementations, SqlUnitOfWork
from adapters.tables import outbox
from app import build_injector
from domain.item import Item
from providers.items_provider import ItemsProvider, ItemsRepository
from providers.ports import Clock, DocumentSchemas, IdSource
from settings import Settings


def item_fields(sku: str) -> dict[str, Any]:
    return {"sku": sku, "name": f"Item {sku}", "price": {"amount_minor": 1999, "currency": "EUR"}, "tags": []}


class OutboxWrites:
    """The real wiring's provider, unit of work and outbox writer, on the test database."""

    def __init__(self, settings: Settings) -> None:
        injector = build_injector(settings)
        self.engine = injector.get(Engine)
        self._uow = SqlUnitOfWork(injector.get(Engines), injector.get(OutboxWriter), injector.get(Implementations))
        self.provider = ItemsProvider(
            self._uow,
            injector.get(DocumentSchemas),
            injector.get(IdSource),
            injector.get(Clock),
        )

    def create(self, fields: dict[str, Any]) -> UUID:
        """One item, as `POST /v1/items` creates it."""
        return self.provider.create(fields, None, lambda item: "").resource_id

    def close(self) -> None:
        self.engine.dispose()

    def create_many(self, count: int, prefix: str, per_transaction: int = 500) -> None:
        """Many ItemCreated rows fast: several items per transaction, as a bulk import would."""
        for start in range(0, count, per_transaction):
            with self._uow.write() as tx:
                repository = tx.repository(ItemsRepository)
                for number in range(start, min(count, start + per_transaction)):
                    repository.add(Item.create(uuid7(), item_fields(f"{prefix}-{number}"), datetime.now(UTC)))
                tx.commit()

    def any_item_id(self) -> UUID:
        with self.engine.connect() as connection:
            return UUID(str(connection.execute(select(items.c.id).limit(1)).scalar_one()))

    def published(self) -> int:
        return self._count(outbox.c.published_at.is_not(None))

    def pending(self) -> int:
        return self._count(outbox.c.published_at.is_(None))

    def _count(self, condition: ColumnElement[bool]) -> int:
        with self.engine.connect() as connection:
            return int(connection.execute(select(func.count()).where(condition)).scalar_one())

    def event_ids(self) -> set[str]:
        """Every event id in the outbox."""
        with self.engine.connect() as connection:
            return {str(event_id) for event_id in connection.execute(select(outbox.c.event_id)).scalars()}
