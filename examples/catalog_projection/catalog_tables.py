"""The projection's own tiny schema, created at start: it shares no table with the Items service."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, Column, Engine, Integer, MetaData, String, Table, Uuid

from items_events.processed_events import metadata as processed_events_metadata

metadata = MetaData()

catalog_items = Table(
    "catalog_items",
    metadata,
    Column("id", Uuid(), primary_key=True),
    # The highest version applied; a deleted item keeps its row (a tombstone) so that an
    # older update arriving late cannot bring it back.
    Column("version", Integer, nullable=False),
    Column("sku", String(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("quantity", BigInteger, nullable=False),
    Column("tags", JSON, nullable=False),
    Column("deleted", Boolean, nullable=False),
)

tag_stock = Table(
    "catalog_tag_stock",
    metadata,
    Column("tag", String(40), primary_key=True),
    # Sums over the live items carrying the tag, kept up to date on every applied event.
    Column("quantity", BigInteger, nullable=False),
    Column("item_count", Integer, nullable=False),
)


def create_catalog_tables(engine: Engine) -> None:
    """Idempotent; the runner's `processed_events` ledger lives in the same database."""
    metadata.create_all(engine, checkfirst=True)
    processed_events_metadata.create_all(engine, checkfirst=True)
