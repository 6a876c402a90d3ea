"""The Item aggregate, its errors and the events it records."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.errors import Conflict, NotFound, Unprocessable
from domain.events import DomainEvent, SnapshotEvent


class ItemNotFound(NotFound):
    title = "Item not found"


class DuplicateSku(Conflict):
    title = "SKU already in use"


class InvalidItem(Unprocessable):
    title = "The item would be invalid"


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in integer minor units of an ISO 4217 currency; never a float."""

    amount_minor: int
    currency: str


@dataclass(slots=True)
class Item:
    """An item of the catalogue; `version` rises by one on every write."""

    id: UUID
    sku: str
    name: str
    price: Money
    quantity: int
    tags: list[str]
    description: str | None
    version: int
    created_at: datetime
    updated_at: datetime
    category_id: UUID | None = None
    events: list[DomainEvent] = field(default_factory=list, compare=False, repr=False)

    @classmethod
    def create(cls, item_id: UUID, fields: dict[str, Any], now: datetime) -> Item:
        item = cls(id=item_id, version=1, created_at=now, updated_at=now, **_typed(fields))
        item.events.append(ItemCreated(item.snapshot()))
        return item

    def replace(self, fields: dict[str, Any], now: datetime) -> None:
        """Apply a full set of client fields (the merge-patched document)."""
        for name, value in _typed(fields).items():
            setattr(self, name, value)
        self.version += 1
        self.updated_at = now
        self.events.append(ItemUpdated(self.snapshot()))

    def delete(self, now: datetime) -> None:
        self.version += 1
        self.updated_at = now
        self.events.append(ItemDeleted(self.snapshot()))

    def client_fields(self) -> dict[str, Any]:
        """The client-supplied fields as the API shows them (the base of a merge patch)."""
        data: dict[str, Any] = {
            "sku": self.sku,
            "name": self.name,
            "price": dataclasses.asdict(self.price),
            "quantity": self.quantity,
            "tags": list(self.tags),
        }
        if self.description is not None:
            data["description"] = self.description
        if self.category_id is not None:
            data["category_id"] = str(self.category_id)
        return data

    def snapshot(self) -> Item:
        """A detached copy, carried by events so later writes cannot change them."""
        return dataclasses.replace(self, tags=list(self.tags), events=[])


@dataclass(frozen=True, slots=True)
class ItemEvent(SnapshotEvent):
    """An item's whole state right after a write; the record is `{"item": ItemState}`."""

    item: Item

    @property
    def snapshot(self) -> Item:
        return self.item

    def record(self) -> dict[str, Any]:
        item = self.item
        state = {
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
            "category_id": item.category_id,
        }
        return {"item": state}


class ItemCreated(ItemEvent, schema="items.v1.ItemCreated", routing_key="item.created"):
    """An item was created; its version is 1."""


class ItemUpdated(ItemEvent, schema="items.v1.ItemUpdated", routing_key="item.updated"):
    """An item was patched; the event carries the whole new state."""


class ItemDeleted(ItemEvent, schema="items.v1.ItemDeleted", routing_key="item.deleted"):
    """An item was deleted; no later event follows for its id."""


def _typed(fields: dict[str, Any]) -> dict[str, Any]:
    price = fields["price"]
    category_id = fields.get("category_id")
    return {
        "category_id": UUID(category_id) if category_id is not None else None,
        "sku": fields["sku"],
        "name": fields["name"],
        "description": fields.get("description"),
        "price": Money(int(price["amount_minor"]), price["currency"]),
        "quantity": int(fields.get("quantity", 0)),
        "tags": list(fields.get("tags") or []),
    }
