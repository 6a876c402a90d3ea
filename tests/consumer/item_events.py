"""Encoded item events for the consumer tests, built from real domain items."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any
from uuid import UUID, uuid4

from domain.item import Item
from eventing.item_events import ITEM_EVENT_SCHEMAS, ItemEventEncoder
from eventing.outbox_message import OutboxMessage
from eventing.schema_registry import SchemaRegistry
from wiring.messaging import SCHEMAS_DIR

START = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


@cache
def registry() -> SchemaRegistry:
    return SchemaRegistry.load(SCHEMAS_DIR, ITEM_EVENT_SCHEMAS)


@cache
def encoder() -> ItemEventEncoder:
    return ItemEventEncoder(registry(), "urn:items-service:test", "http://127.0.0.1:8080")


def fields(**overrides: Any) -> dict[str, Any]:
    return {
        "sku": f"SKU-{uuid4().hex[:8]}",
        "name": "Blue mug",
        "description": "Stoneware",
        "price": {"amount_minor": 1999, "currency": "EUR"},
        "quantity": 1,
        "tags": ["kitchen"],
        **overrides,
    }


def new_item(item_id: UUID | None = None, **overrides: Any) -> Item:
    """A created item whose `events` holds its ItemCreated."""
    return Item.create(item_id or uuid4(), fields(**overrides), START)


def update(item: Item, **changes: Any) -> None:
    """Record an ItemUpdated with `changes` applied to the item's client fields."""
    item.replace({**item.client_fields(), **changes}, item.updated_at + timedelta(seconds=1))


def messages(item: Item) -> list[OutboxMessage]:
    """The item's events, each encoded once (so each with its own ce-id)."""
    return [encoder().encode(event) for event in item.events]
