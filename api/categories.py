"""Handlers of /v1/categories: translate HTTP to CategoriesProvider calls and back."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Response, request
from injector import Inject

from api.category_representation import represent
from api.etags import if_match
from api.resource_responses import as_json, created, empty, idempotency_key, one, page
from providers.categories_provider import CategoriesProvider

COLLECTION = "/v1/categories"
_AS_JSON = as_json(represent)


def create(body: dict[str, Any], categories: Inject[CategoriesProvider], user: str | None = None) -> Response:
    return created(categories.create(body, idempotency_key(user), _AS_JSON), COLLECTION)


def read(category_id: str, categories: Inject[CategoriesProvider]) -> Response:
    return one(categories.get(UUID(category_id)), represent, conditional=True)


def search(categories: Inject[CategoriesProvider], limit: int = 20, cursor: str | None = None) -> Response:
    return page(categories.page(limit, cursor), represent, "categories")


def patch(category_id: str, body: dict[str, Any], categories: Inject[CategoriesProvider]) -> Response:
    return one(categories.patch(UUID(category_id), body, if_match(request.headers.get("If-Match"))), represent)


def remove(category_id: str, categories: Inject[CategoriesProvider]) -> Response:
    categories.delete(UUID(category_id), if_match(request.headers.get("If-Match")))
    return empty(204)
