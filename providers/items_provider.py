"""ItemsProvider: the use cases of the Items API, and the repository port items need."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from domain.item import InvalidItem, Item, ItemNotFound
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
        return Item.create(aggregate_id, fields, now)

    def _client_fields(self, aggregate: Item) -> dict[str, Any]:
        return aggregate.client_fields()

    def _replace(self, tx: Transaction, aggregate: Item, fields: dict[str, Any], now: datetime) -> None:
        aggregate.replace(fields, now)

    def _delete(self, tx: Transaction, aggregate: Item, now: datetime) -> None:
        aggregate.delete(now)
