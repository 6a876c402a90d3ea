"""Categories stored with SQLAlchemy Core: one row per category."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    Row,
    String,
    Table,
    Text,
    Uuid,
    bindparam,
    delete,
    exists,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from adapters.items_repository import items
from adapters.sql_repository import SqlRepository, is_foreign_key_violation, keyset_page, utc
from adapters.tables import metadata
from domain.category import Category, CategoryInUse, DuplicateCategoryName
from providers.categories_provider import CategoriesRepository
from providers.ports import ListQuery

categories = Table(
    "categories",
    metadata,
    Column("id", Uuid(), primary_key=True),  # UUIDv7: keyset pagination walks this index
    Column("name", String(100), nullable=False, unique=True),
    Column("description", Text, nullable=True),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

_SELECT_BY_ID = select(categories).where(categories.c.id == bindparam("category_id"))
_LOCK_BY_ID = _SELECT_BY_ID.with_for_update()
_IN_USE = select(exists().where(items.c.category_id == bindparam("category_id")))


class SqlCategoriesRepository(SqlRepository[Category], CategoriesRepository, port=CategoriesRepository):
    """The `categories` table, inside the caller's transaction."""

    def get(self, aggregate_id: UUID, *, for_update: bool = False) -> Category | None:
        row = self._row_by_id(_SELECT_BY_ID, _LOCK_BY_ID, {"category_id": aggregate_id}, for_update=for_update)
        return self._track(_to_category(row) if row is not None else None)

    def add(self, aggregate: Category) -> None:
        # Sent at commit, with the outbox row.
        self._session.insert(categories, [_to_row(aggregate)], lambda _error: _duplicate_name(aggregate))
        self._track(aggregate)

    def save(self, aggregate: Category, expected_version: int) -> bool:
        statement = (
            update(categories)
            .where(categories.c.id == aggregate.id, categories.c.version == expected_version)
            .values(_to_row(aggregate))
        )
        try:
            return bool(self._session.write(statement).rowcount == 1)
        except IntegrityError as exc:
            raise _duplicate_name(aggregate) from exc

    def remove(self, aggregate: Category, expected_version: int) -> bool:
        statement = delete(categories).where(categories.c.id == aggregate.id, categories.c.version == expected_version)
        try:
            return bool(self._session.write(statement).rowcount == 1)
        except IntegrityError as exc:  # an item named it after `in_use` looked
            if is_foreign_key_violation(exc):
                raise CategoryInUse(f"items still belong to category {aggregate.id}") from exc
            raise

    def list_page(self, query: ListQuery) -> list[Category]:
        return [_to_category(row) for row in self._session.read(keyset_page(categories, query))]

    def in_use(self, category_id: UUID) -> bool:
        return bool(self._session.read(_IN_USE, {"category_id": category_id}).scalar())


def _duplicate_name(category: Category) -> DuplicateCategoryName:
    return DuplicateCategoryName(f"a category named {category.name!r} already exists")


def _to_row(category: Category) -> dict[str, Any]:
    return {
        "id": category.id,
        "name": category.name,
        "description": category.description,
        "version": category.version,
        "created_at": category.created_at,
        "updated_at": category.updated_at,
    }


def _to_category(row: Row[Any]) -> Category:
    return Category(
        id=row.id,
        name=row.name,
        description=row.description,
        version=row.version,
        created_at=utc(row.created_at),
        updated_at=utc(row.updated_at),
    )
