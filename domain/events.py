"""Events an Item records; the unit of work writes them to the outbox on commit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from domain.item import Item


@dataclass(frozen=True, slots=True)
class ItemEvent:
    """The state of an item right after a committed write."""

    type_name: ClassVar[str] = "ItemEvent"
    routing_key: ClassVar[str] = ""
    item: Item


@dataclass(frozen=True, slots=True)
class ItemCreated(ItemEvent):
    type_name: ClassVar[str] = "ItemCreated"
    routing_key: ClassVar[str] = "item.created"


@dataclass(frozen=True, slots=True)
class ItemUpdated(ItemEvent):
    type_name: ClassVar[str] = "ItemUpdated"
    routing_key: ClassVar[str] = "item.updated"


@dataclass(frozen=True, slots=True)
class ItemDeleted(ItemEvent):
    type_name: ClassVar[str] = "ItemDeleted"
    routing_key: ClassVar[str] = "item.deleted"
