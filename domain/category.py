"""The Category aggregate, its errors and the events it records."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.errors import Conflict, NotFound, Unprocessable
from domain.events import DomainEvent, SnapshotEvent


class CategoryNotFound(NotFound):
    title = "Category not found"


class DuplicateCategoryName(Conflict):
    title = "Category name already in use"


class CategoryInUse(Conflict):
    title = "Category still has items"


class InvalidCategory(Unprocessable):
    title = "The category would be invalid"


@dataclass(slots=True)
class Category:
    """A group of items; `version` rises by one on every write."""

    id: UUID
    name: str
    description: str | None
    version: int
    created_at: datetime
    updated_at: datetime
    events: list[DomainEvent] = field(default_factory=list, compare=False, repr=False)

    @classmethod
    def create(cls, category_id: UUID, fields: dict[str, Any], now: datetime) -> Category:
        category = cls(id=category_id, version=1, created_at=now, updated_at=now, **_typed(fields))
        category.events.append(CategoryCreated(category.snapshot()))
        return category

    def replace(self, fields: dict[str, Any], now: datetime) -> None:
        """Apply a full set of client fields (the merge-patched document)."""
        for name, value in _typed(fields).items():
            setattr(self, name, value)
        self.version += 1
        self.updated_at = now
        self.events.append(CategoryUpdated(self.snapshot()))

    def delete(self, now: datetime) -> None:
        self.version += 1
        self.updated_at = now
        self.events.append(CategoryDeleted(self.snapshot()))

    def client_fields(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name}
        if self.description is not None:
            data["description"] = self.description
        return data

    def snapshot(self) -> Category:
        return dataclasses.replace(self, events=[])


@dataclass(frozen=True, slots=True)
class CategoryEvent(SnapshotEvent):
    """A category's whole state right after a write; the record is `{"category": CategoryState}`."""

    category: Category

    @property
    def snapshot(self) -> Category:
        return self.category

    def record(self) -> dict[str, Any]:
        category = self.category
        state = {
            "id": category.id,
            "version": category.version,
            "name": category.name,
            "description": category.description,
            "created_at": category.created_at,
            "updated_at": category.updated_at,
        }
        return {"category": state}


class CategoryCreated(CategoryEvent, schema="categories.v1.CategoryCreated", routing_key="category.created"):
    """A category was created; its version is 1."""


class CategoryUpdated(CategoryEvent, schema="categories.v1.CategoryUpdated", routing_key="category.updated"):
    """A category was patched; the event carries the whole new state."""


class CategoryDeleted(CategoryEvent, schema="categories.v1.CategoryDeleted", routing_key="category.deleted"):
    """A category was deleted; no later event follows for its id."""


def _typed(fields: dict[str, Any]) -> dict[str, Any]:
    return {"name": fields["name"], "description": fields.get("description")}
