"""The projection's rules: newest version wins, deletes leave a tombstone, stock is summed per tag."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from examples.catalog_projection.catalog_tables import catalog_items, tag_stock
from items_events.processed_events import processed_events


@dataclass(frozen=True, slots=True)
class CatalogSummary:
    """What `show` prints."""

    live_items: int
    deleted_items: int
    processed_events: int
    stock_by_tag: dict[str, int]


class Catalog:
    """Applies item states to the read model; stateless, so one instance serves every event."""

    def apply(self, connection: Connection, item: Mapping[str, Any], version: int, *, deleted: bool) -> bool:
        """Apply the state if it is newer than what is stored; False for a stale or repeated version."""
        stored = connection.execute(
            select(catalog_items).where(catalog_items.c.id == item["id"]).with_for_update()
        ).first()
        if stored is not None and stored.version >= version:
            return False
        change = _StockChange()
        if stored is not None and not stored.deleted:
            change.add(stored.tags, -stored.quantity, -1)
        if not deleted:
            change.add(item["tags"], item["quantity"], +1)
        self._adjust_stock(connection, change)
        row = {
            "version": version,
            "sku": item["sku"],
            "name": item["name"],
            "quantity": item["quantity"],
            "tags": sorted(set(item["tags"])),
            "deleted": deleted,
        }
        if stored is None:
            connection.execute(insert(catalog_items).values(id=item["id"], **row))
        else:
            connection.execute(update(catalog_items).where(catalog_items.c.id == item["id"]).values(**row))
        return True

    def summary(self, connection: Connection, consumer: str) -> CatalogSummary:
        counts = connection.execute(select(catalog_items.c.deleted, func.count()).group_by(catalog_items.c.deleted))
        by_state: dict[bool, int] = {bool(deleted): count for deleted, count in counts}
        processed = connection.execute(
            select(func.count()).select_from(processed_events).where(processed_events.c.consumer == consumer)
        ).scalar_one()
        stock = connection.execute(
            select(tag_stock.c.tag, tag_stock.c.quantity).where(tag_stock.c.item_count > 0).order_by(tag_stock.c.tag)
        ).all()
        return CatalogSummary(
            live_items=by_state.get(False, 0),
            deleted_items=by_state.get(True, 0),
            processed_events=processed,
            stock_by_tag={tag: quantity for tag, quantity in stock},
        )

    @staticmethod
    def _adjust_stock(connection: Connection, change: _StockChange) -> None:
        rows = change.rows()
        if not rows:
            return
        # Both dialects spell the upsert alike, each through its own `insert`.
        statement: postgresql.Insert | sqlite.Insert = (
            postgresql.insert(tag_stock) if connection.dialect.name == "postgresql" else sqlite.insert(tag_stock)
        )
        excluded = statement.excluded
        statement = statement.on_conflict_do_update(
            index_elements=[tag_stock.c.tag],
            set_={
                "quantity": tag_stock.c.quantity + excluded.quantity,
                "item_count": tag_stock.c.item_count + excluded.item_count,
            },
        )
        connection.execute(statement, rows)


class _StockChange:
    """How one event moves the per-tag sums: the old state's tags out, the new state's in."""

    def __init__(self) -> None:
        self._quantity: Counter[str] = Counter()
        self._item_count: Counter[str] = Counter()

    def add(self, tags: Iterable[str], quantity: int, item_count: int) -> None:
        for tag in set(tags):
            self._quantity[tag] += quantity
            self._item_count[tag] += item_count

    def rows(self) -> list[dict[str, Any]]:
        tags = sorted(self._quantity.keys() | self._item_count.keys())
        return [{"tag": tag, "quantity": self._quantity[tag], "item_count": self._item_count[tag]} for tag in tags]
