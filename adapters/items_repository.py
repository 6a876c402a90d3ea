"""Items stored with SQLAlchemy Core: one row per item, one row per tag for filtering."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Row, bindparam, delete, exists, insert, select, update
from sqlalchemy.exc import IntegrityError

from adapters.tables import item_tags, items
from domain.errors import DuplicateSku
from domain.item import Item, Money
from providers.ports import ItemsRepository, ListQuery

# Built once: constructing a statement per call costs more than executing its cached compiled form.
_INSERT_ITEM = insert(items)
_INSERT_TAGS = insert(item_tags)
_SELECT_BY_ID = select(items).where(items.c.id == bindparam("item_id"))


class SqlItemsRepository(ItemsRepository):
    """The `items` and `item_tags` tables, inside the caller's transaction."""

    def __init__(self, connection: Connection) -> None:
        super().__init__()
        self._connection = connection

    def _get(self, item_id: UUID) -> Item | None:
        row = self._connection.execute(_SELECT_BY_ID, {"item_id": item_id}).first()
        return _to_item(row) if row is not None else None

    def _add(self, item: Item) -> None:
        # No savepoint: a failed insert fails the request, and the whole transaction rolls back.
        try:
            self._connection.execute(_INSERT_ITEM, _to_row(item))
        except IntegrityError as exc:
            raise DuplicateSku(f"an item with sku {item.sku!r} already exists") from exc
        self._insert_tags(item)

    def save(self, item: Item, expected_version: int) -> bool:
        statement = (
            update(items)
            .where(items.c.id == item.id, items.c.version == expected_version)
            .values(_to_row(item))
        )
        try:
            written = self._connection.execute(statement).rowcount == 1
        except IntegrityError as exc:
            raise DuplicateSku(f"an item with sku {item.sku!r} already exists") from exc
        if written:
            self._connection.execute(delete(item_tags).where(item_tags.c.item_id == item.id))
            self._insert_tags(item)
        return written

    def remove(self, item: Item, expected_version: int) -> bool:
        statement = delete(items).where(items.c.id == item.id, items.c.version == expected_version)
        self._connection.execute(delete(item_tags).where(item_tags.c.item_id == item.id))
        return self._connection.execute(statement).rowcount == 1

    def sku_exists(self, sku: str) -> bool:
        return bool(self._connection.execute(select(exists().where(items.c.sku == sku))).scalar())

    def list_page(self, query: ListQuery) -> list[Item]:
        statement = select(items).order_by(items.c.id).limit(query.limit)
        if query.after is not None:
            statement = statement.where(items.c.id > query.after)
        if query.tag is not None:
            statement = statement.join(item_tags, item_tags.c.item_id == items.c.id).where(
                item_tags.c.tag == query.tag
            )
        if query.text:
            statement = statement.where(
                items.c.name.icontains(query.text, autoescape=True)
                | items.c.sku.icontains(query.text, autoescape=True)
            )
        return [_to_item(row) for row in self._connection.execute(statement)]

    def _insert_tags(self, item: Item) -> None:
        if item.tags:
            self._connection.execute(_INSERT_TAGS, [{"tag": tag, "item_id": item.id} for tag in item.tags])


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
    }


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
        created_at=_utc(row.created_at),
        updated_at=_utc(row.updated_at),
    )


def _utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; every stored time is UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
