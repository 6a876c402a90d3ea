"""ItemsProvider: the use cases of the Items API, and the repository port items need."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from domain.item import InvalidItem, Item, ItemNotFound
from providers.categories_provider import CategoriesRepository
from providers.ports import Repository, Transaction
from providers.versioned_resources import VersionedResources


class ItemsRepository(Repository[Item]):
    """Items by id; `list_page` reads the filters `tag` (exact) and `q` (a substring of name or sku)."""


class ItemsProvider(VersionedResources[Item]):
    """Creates, reads, lists, patches and deletes items."""

    kind = "item"
    repository = ItemsRepository
    input_schema = "ItemInput"
    not_found = ItemNotFound
    invalid = InvalidItem

    def _new(self, tx: Transaction, aggregate_id: UUID, fields: dict[str, Any], now: datetime) -> Item:
        _check_category(tx, fields.get("category_id"))
        return Item.create(aggregate_id, fields, now)

    def _client_fields(self, aggregate: Item) -> dict[str, Any]:
        return aggregate.client_fields()

    def _replace(self, tx: Transaction, aggregate: Item, fields: dict[str, Any], now: datetime) -> None:
        _check_category(tx, fields.get("category_id"))
        aggregate.replace(fields, now)

    def _delete(self, tx: Transaction, aggregate: Item, now: datetime) -> None:
        aggregate.delete(now)


def _check_category(tx: Transaction, category_id: str | None) -> None:
    """An item names a live category or none. The database's foreign key closes the race with a delete."""
    if category_id is not None and tx.repository(CategoriesRepository).get(UUID(category_id)) is None:
        raise InvalidItem(f"category_id {category_id} names no category")
