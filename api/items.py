"""Handlers of /v1/items: translate HTTP to ItemsProvider calls and back."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Response, request
from injector import Inject

from api.etags import if_match
from api.item_representation import represent
from api.resource_responses import as_json, created, empty, idempotency_key, one, page
from providers.items_provider import ItemsProvider

COLLECTION = "/v1/items"
_AS_JSON = as_json(represent)


def create(body: dict[str, Any], items: Inject[ItemsProvider], user: str | None = None) -> Response:
    return created(items.create(body, idempotency_key(user), _AS_JSON), COLLECTION)


def read(item_id: str, items: Inject[ItemsProvider]) -> Response:
    return one(items.get(UUID(item_id)), represent, conditional=True)


def search(
    items: Inject[ItemsProvider],
    limit: int = 20,
    cursor: str | None = None,
    tag: str | None = None,
    q: str | None = None,
) -> Response:
    return page(items.page(limit, cursor, tag=tag, q=q), represent, "items")


def patch(item_id: str, body: dict[str, Any], items: Inject[ItemsProvider]) -> Response:
    return one(items.patch(UUID(item_id), body, if_match(request.headers.get("If-Match"))), represent)


def remove(item_id: str, items: Inject[ItemsProvider]) -> Response:
    items.delete(UUID(item_id), if_match(request.headers.get("If-Match")))
    return empty(204)
