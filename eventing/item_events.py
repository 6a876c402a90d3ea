"""Item events turned into outbox messages: an Avro payload plus CloudEvents headers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from uuid6 import uuid7

from domain.events import ItemCreated, ItemDeleted, ItemEvent, ItemUpdated
from domain.item import Item
from eventing.cloudevent_headers import cloudevent_headers
from eventing.outbox_message import OutboxMessage
from eventing.schema_registry import SchemaRegistry
from eventing.single_object import encode

# Part of every schema's full name and of every `ce-type`; a breaking change to the
# contract would need a new namespace, so compatible changes must keep this one.
NAMESPACE = "items.v1"
ITEM_EVENT_CLASSES: tuple[type[ItemEvent], ...] = (ItemCreated, ItemUpdated, ItemDeleted)
ITEM_EVENT_SCHEMAS: tuple[str, ...] = tuple(f"{NAMESPACE}.{event.type_name}" for event in ITEM_EVENT_CLASSES)
# The AMQP content type of a single-object encoded body (CloudEvents `datacontenttype`).
CONTENT_TYPE = "application/vnd.apache.avro+binary"
SCHEMAS_PATH = "/v1/schemas"


def item_state(item: Item) -> dict[str, Any]:
    """The `ItemState` record of an item."""
    return {
        "id": item.id,
        "version": item.version,
        "sku": item.sku,
        "name": item.name,
        "description": item.description,
        "price": {"amount_minor": item.price.amount_minor, "currency": item.price.currency},
        "quantity": item.quantity,
        "tags": list(item.tags),
        "created_at": item.created_at,
        "updated_at": item.updated_at,
    }


class ItemEventEncoder:
    """Encodes item events into outbox messages; one instance serves the whole process."""

    def __init__(
        self,
        registry: SchemaRegistry,
        source: str,
        public_base_url: str,
        new_event_id: Callable[[], UUID] = uuid7,
    ) -> None:
        for event_class in ITEM_EVENT_CLASSES:
            registry.writer(event_class.type_name)  # fails at startup rather than on the first write
        self._registry = registry
        self._source = source
        self._schemas_url = public_base_url.rstrip("/") + SCHEMAS_PATH
        # Time-ordered ids keep the outbox's unique index on event_id append-only.
        self._new_event_id = new_event_id

    def encode(self, event: ItemEvent) -> OutboxMessage:
        """Encode one event; it occurred when the write did, at `item.updated_at`."""
        schema = self._registry.writer(event.type_name)
        item = event.item
        event_id = self._new_event_id()
        headers = cloudevent_headers(
            event_id=event_id,
            source=self._source,
            event_type=schema.full_name,
            time=item.updated_at,
            subject=str(item.id),
            dataschema=f"{self._schemas_url}/{schema.fingerprint_hex}",
        )
        return OutboxMessage(
            event_id=event_id,
            aggregate_id=item.id,
            aggregate_version=item.version,
            event_type=event.type_name,
            routing_key=event.routing_key,
            payload=encode({"item": item_state(item)}, schema.parsed, schema.fingerprint),
            schema_fingerprint=schema.fingerprint_hex,
            headers=headers,
            occurred_at=item.updated_at,
        )
