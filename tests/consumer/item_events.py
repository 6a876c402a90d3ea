"""Encoded item events for the consumer tests, built from real domain items by the service's own encoder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from domain.item import Item
from eventing.outbox_message import OutboxMessage
from eventing.released_schemas import load_released
from items_events.schemas import KnownWriterSchemas
from tests.events import encoder, registry
from wiring.contract import RELEASED_SCHEMAS_DIR

START = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
ITEM_EVENTS = ("items.v1.ItemCreated", "items.v1.ItemUpdated", "items.v1.ItemDeleted")


def service_writers() -> KnownWriterSchemas:
    """Every writer schema the service ever published: the current ones and every released version."""
    released = [version.schema for versions in load_released(RELEASED_SCHEMAS_DIR).values() for version in versions]
    return KnownWriterSchemas([*released, *registry().schemas()])


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
