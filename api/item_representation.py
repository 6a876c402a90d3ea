"""The public JSON shape of an item: what the API answers and what idempotent replays return."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.item import Item


def rfc3339(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")


def represent(item: Item) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(item.id),
        **item.client_fields(),
        "version": item.version,
        "created_at": rfc3339(item.created_at),
        "updated_at": rfc3339(item.updated_at),
    }
    return body
