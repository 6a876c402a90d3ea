"""SQLAlchemy Core access to the service's `items` tables, shared by the peer apps."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Engine, RowMapping, create_engine, event, insert, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from uuid6 import uuid7

from adapters.items_repository import item_tags, items

CreatedHook = Callable[[Connection, Mapping[str, Any]], None]
"""Runs inside the insert transaction; the seam for a later outbox-writing variant."""

DEFAULT_DATABASE_URL = "sqlite:///var/items.db"


class DuplicateSkuError(Exception):
    """The sku is already taken by another item."""


def engine_from_environment() -> Engine:
    """An engine configured like the service's: DATABASE_URL, DB_POOL_SIZE, no overflow, pre-ping."""
    url = make_url(os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL))
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    pool_size = int(os.environ.get("DB_POOL_SIZE", "10"))
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_size=pool_size, max_overflow=0, pool_pre_ping=True)
    engine = create_engine(url, pool_size=pool_size, max_overflow=0, connect_args={"check_same_thread": False})
    event.listen(engine, "connect", _configure_sqlite)
    return engine


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _no_hook(_connection: Connection, _row: Mapping[str, Any]) -> None:
    return None


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def etag_for(version: int) -> str:
    return f'"{version}"'


def item_document(row: Mapping[Any, Any]) -> dict[str, Any]:
    """The item JSON shape of the REST contract, built from an `items` row."""
    document: dict[str, Any] = {
        "id": str(row["id"]),
        "sku": row["sku"],
        "name": row["name"],
        "price": {"amount_minor": row["price_amount_minor"], "currency": row["price_currency"]},
        "quantity": row["quantity"],
        "tags": list(row["tags"]),
        "version": row["version"],
        "created_at": rfc3339(row["created_at"]),
        "updated_at": rfc3339(row["updated_at"]),
    }
    if row["description"] is not None:
        document["description"] = row["description"]
    return document


class ItemStore:
    """Reads and inserts items with one short transaction per call."""

    def __init__(self, engine: Engine, on_created: CreatedHook = _no_hook) -> None:
        self._engine = engine
        self._on_created = on_created

    def get(self, item_id: UUID) -> RowMapping | None:
        with self._engine.connect() as connection:
            return connection.execute(select(items).where(items.c.id == item_id)).mappings().first()

    def create(self, fields: Mapping[str, Any]) -> Mapping[str, Any]:
        """Insert a validated item (client fields as in the contract); returns the stored row."""
        now = datetime.now(UTC)
        tags = list(dict.fromkeys(fields.get("tags") or []))
        row = {
            "id": uuid7(),
            "sku": fields["sku"],
            "name": fields["name"],
            "description": fields.get("description"),
            "price_amount_minor": fields["price"]["amount_minor"],
            "price_currency": fields["price"]["currency"],
            "quantity": fields.get("quantity", 0),
            "tags": tags,
            "version": 1,
            "created_at": now,
            "updated_at": now,
        }
        try:
            with self._engine.begin() as connection:
                connection.execute(insert(items), row)
                if tags:
                    connection.execute(insert(item_tags), [{"tag": tag, "item_id": row["id"]} for tag in tags])
                self._on_created(connection, row)
        except IntegrityError as exc:
            raise DuplicateSkuError(fields["sku"]) from exc
        return row
