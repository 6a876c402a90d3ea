"""Items stored with SQLAlchemy Core: one row per item, one row per tag for filtering."""

from __future__ import annotations

import functools
from typing import Any
from uuid import UUID

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    Row,
    String,
    Table,
    Text,
    Uuid,
    bindparam,
    delete,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from adapters.sql_repository import SqlRepository, is_foreign_key_violation, keyset_page, utc
from adapters.tables import metadata
from domain.item import DuplicateSku, InvalidItem, Item, Money
from providers.items_provider import ItemsRepository
from providers.ports import ListQuery

items = Table(
    "items",
    metadata,
    Column("id", Uuid(), primary_key=True),  # UUIDv7: keyset pagination walks this index
    Column("sku", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("description", Text, nullable=True),
    Column("price_amount_minor", BigInteger, nullable=False),
    Column("price_currency", String(3), nullable=False),
    Column("quantity", BigInteger, nullable=False),
    Column("tags", JSON, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # No ON DELETE: a category that items still name cannot be deleted (the race with `in_use` ends here).
    Column("category_id", Uuid(), ForeignKey("categories.id"), nullable=True, index=True),
)

item_tags = Table(
    "item_tags",
    metadata,
    Column("tag", String(40), primary_key=True),
    Column("item_id", Uuid(), ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
)

# Built once: constructing a statement per call costs more than executing its cached compiled form.
_SELECT_BY_ID = select(items).where(items.c.id == bindparam("item_id"))
_LOCK_BY_ID = _SELECT_BY_ID.with_for_update()
_DELETE_TAGS = delete(item_tags).where(item_tags.c.item_id == bindparam("item_id"))
_DELETE_ITEM = delete(items).where(items.c.id == bindparam("item_id"), items.c.version == bindparam("expected"))


class SqlItemsRepository(SqlRepository[Item], ItemsRepository, port=ItemsRepository):
    """The `items` and `item_tags` tables, inside the caller's transaction."""

    def get(self, aggregate_id: UUID, *, for_update: bool = False) -> Item | None:
        row = self._row_by_id(_SELECT_BY_ID, _LOCK_BY_ID, {"item_id": aggregate_id}, for_update=for_update)
        return self._track(_to_item(row) if row is not None else None)

    def add(self, aggregate: Item) -> None:
        # Sent at commit, with the tags and the outbox row; a violation then fails the whole transaction.
        refusal = functools.partial(_refusal, item=aggregate)
        self._session.insert(items, [_to_row(aggregate)], refusal)
        self._session.insert(item_tags, _tag_rows(aggregate), refusal)
        self._track(aggregate)

    def save(self, aggregate: Item, expected_version: int) -> bool:
        statement = (
            update(items)
            .where(items.c.id == aggregate.id, items.c.version == expected_version)
            .values(_to_row(aggregate))
        )
        try:
            written = self._session.write(statement).rowcount == 1
        except IntegrityError as exc:
            raise _refusal(exc, aggregate) from exc
        if written:
            self._session.write(_DELETE_TAGS, {"item_id": aggregate.id})
            self._session.insert(item_tags, _tag_rows(aggregate))
        return written

    def remove(self, aggregate: Item, expected_version: int) -> bool:
        self._session.write(_DELETE_TAGS, {"item_id": aggregate.id})
        return self._session.write(_DELETE_ITEM, {"item_id": aggregate.id, "expected": expected_version}).rowcount == 1

    def list_page(self, query: ListQuery) -> list[Item]:
        statement = keyset_page(items, query)
        if (tag := query.filter("tag")) is not None:
            statement = statement.join(item_tags, item_tags.c.item_id == items.c.id).where(item_tags.c.tag == tag)
        if text := query.filter("q"):
            statement = statement.where(
                items.c.name.icontains(text, autoescape=True) | items.c.sku.icontains(text, autoescape=True)
            )
        return [_to_item(row) for row in self._session.read(statement)]


def _tag_rows(item: Item) -> list[dict[str, Any]]:
    return [{"tag": tag, "item_id": item.id} for tag in item.tags]


def _to_row(item: Item) -> dict[str, Any]:
    return {
        "id": item.id,
        "sku": item.sku,
        "name": item.name,
        "description": item.description,
        "price_amount_minor": item.price.amount_minor,
        "price_currency": item.price.currency,
        "quantity": item.quantity,
        "tags": list(item.tags),
        "version": item.version,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
        "category_id": item.category_id,
    }


def _refusal(error: IntegrityError, item: Item) -> Exception:
    if is_foreign_key_violation(error):  # the category was deleted since the provider looked it up
        return InvalidItem(f"category_id {item.category_id} names no category")
    return DuplicateSku(f"an item with sku {item.sku!r} already exists")


def _to_item(row: Row[Any]) -> Item:
    return Item(
        id=row.id,
        sku=row.sku,
        name=row.name,
        description=row.description,
        price=Money(row.price_amount_minor, row.price_currency),
        quantity=row.quantity,
        tags=list(row.tags),
        version=row.version,
        created_at=utc(row.created_at),
        updated_at=utc(row.updated_at),
        category_id=row.category_id,
    )
