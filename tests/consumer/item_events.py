"""Encoded item events for the consumer tests, built from real domain items by the service's own encoder."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from domain.item import Item
from eventing.outbox_message import OutboxMessage
from eventing.released_schemas import load_released
from items_events.schemas import KnownWriterSchemas, RegisteredSchema
from items_events.single_object import encode
from tests.events import SCHEMAS_URL, encoder, registry
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


def released(full_name: str, version: int) -> RegisteredSchema:
    """A released version of an event schema, as the service wrote events with it back then."""
    return load_released(RELEASED_SCHEMAS_DIR)[full_name][version - 1].schema


def messages_written_by(item: Item, version: int) -> list[OutboxMessage]:
    """The item's events as the service encoded them while `version` was its writer schema.

    The record keeps only the fields that version has, so every field added since is absent.
    """
    written = []
    for message, event in zip(messages(item), item.events, strict=True):
        schema = released(message.headers["ce-type"], version)
        state_fields = {field["name"] for field in schema.document["fields"][0]["type"]["fields"]}
        state = {name: value for name, value in event.record()["item"].items() if name in state_fields}
        headers = {**message.headers, "ce-dataschema": f"{SCHEMAS_URL}/{schema.fingerprint_hex}"}
        payload = encode({"item": state}, schema.parsed, schema.fingerprint)
        written.append(
            dataclasses.replace(message, payload=payload, schema_fingerprint=schema.fingerprint_hex, headers=headers)
        )
    return written
