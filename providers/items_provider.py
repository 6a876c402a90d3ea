"""ItemsProvider: the use cases of the Items API, and the repository port items need."""

from __future__ import annotations

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
    aggregate = Item
    repository = ItemsRepository
    input_schema = "ItemInput"
    not_found = ItemNotFound
    invalid = InvalidItem

    def _check(self, tx: Transaction, fields: dict[str, Any]) -> None:
        """An item names a live category or none. The database's foreign key closes the race with a delete."""
        category_id = fields.get("category_id")
        if category_id is not None and tx.repository(CategoriesRepository).get(UUID(category_id)) is None:
            raise InvalidItem(f"category_id {category_id} names no category")
