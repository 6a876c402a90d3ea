"""CategoriesProvider: the use cases of the Categories API, and the repository port categories need."""

from __future__ import annotations

import abc
from uuid import UUID

from domain.category import Category, CategoryInUse, CategoryNotFound, InvalidCategory
from providers.ports import Repository, Transaction
from providers.versioned_resources import VersionedResources


class CategoriesRepository(Repository[Category]):
    """Categories by id; `list_page` reads no filter."""

    @abc.abstractmethod
    def in_use(self, category_id: UUID) -> bool:
        """Whether any item still names the category."""


class CategoriesProvider(VersionedResources[Category]):
    """Creates, reads, lists, patches and deletes categories; a category items still name stays."""

    kind = "category"
    aggregate = Category
    repository = CategoriesRepository
    input_schema = "CategoryInput"
    not_found = CategoryNotFound
    invalid = InvalidCategory

    def _check_delete(self, tx: Transaction, aggregate: Category) -> None:
        if tx.repository(CategoriesRepository).in_use(aggregate.id):
            raise CategoryInUse(f"items still belong to category {aggregate.id}; move or delete them first")
