"""The public JSON shape of a category."""

from __future__ import annotations

from typing import Any

from api.item_representation import rfc3339
from domain.category import Category


def represent(category: Category) -> dict[str, Any]:
    return {
        "id": str(category.id),
        **category.client_fields(),
        "version": category.version,
        "created_at": rfc3339(category.created_at),
        "updated_at": rfc3339(category.updated_at),
    }
