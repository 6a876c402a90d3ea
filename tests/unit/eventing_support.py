"""Shared builders for the eventing tests: the real schema files and sample items."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from domain.item import Item
from eventing.event_encoder import EventEncoder
from eventing.schema_registry import SchemaRegistry
from settings import PROJECT_ROOT
from tests.events import catalog

SCHEMA_DIR = PROJECT_ROOT / "schemas" / "avro"
ITEM_ID = UUID("01890a5d-ac96-774b-bcce-b302099a8057")
EVENT_ID = UUID("01890a5d-ac96-7c4b-8a1e-0123456789ab")
SOURCE = "urn:items-service:test"
BASE_URL = "https://items.example.com/"
CREATED_AT = datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)
UPDATED_AT = datetime(2024, 5, 2, 8, 30, 0, 654321, tzinfo=UTC)
DELETED_AT = datetime(2024, 5, 3, 23, 59, 59, 1, tzinfo=UTC)


def registry() -> SchemaRegistry:
    return catalog().registry


def encoder() -> EventEncoder:
    return EventEncoder(catalog(), SOURCE, BASE_URL + "v1/schemas", new_event_id=lambda: EVENT_ID)


def client_fields(**overrides: object) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "sku": "SKU-0001",
        "name": "Blue mug",
        "description": "Stoneware, 350 ml",
        "price": {"amount_minor": 1999, "currency": "EUR"},
        "quantity": 7,
        "tags": ["kitchen", "blue"],
    }
    fields.update(overrides)
    return fields


def item_with_history() -> Item:
    """An item created, updated (losing its description) and deleted: one event of each type."""
    item = Item.create(ITEM_ID, client_fields(), CREATED_AT)
    update = client_fields(name="Blue mug XL", quantity=2**40, tags=[])
    del update["description"]
    item.replace(update, UPDATED_AT)
    item.delete(DELETED_AT)
    return item
