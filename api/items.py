"""Handlers of /v1/items: translate HTTP to ItemsProvider calls and back."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Response, jsonify, request
from injector import Inject

from providers.etags import etag_for, if_none_match_hits
from providers.item_representation import represent
from providers.items_provider import ItemsProvider

JSON = "application/json"


def create(body: dict[str, Any], items: Inject[ItemsProvider]) -> Response:
    created = items.create(body, request.headers.get("Idempotency-Key"))
    headers = {"Location": f"/v1/items/{created.item_id}", "ETag": etag_for(created.version)}
    if created.replayed:
        headers["Idempotent-Replayed"] = "true"
    return Response(created.body, 201, headers, mimetype=JSON)


def read(item_id: str, items: Inject[ItemsProvider]) -> Response:
    item = items.get(UUID(item_id))
    etag = etag_for(item.version)
    if if_none_match_hits(request.headers.get("If-None-Match"), item.version):
        return _empty(304, {"ETag": etag})
    response = jsonify(represent(item))
    response.headers["ETag"] = etag
    return response


def search(
    items: Inject[ItemsProvider],
    limit: int = 20,
    cursor: str | None = None,
    tag: str | None = None,
    q: str | None = None,
) -> Response:
    page = items.list(limit, cursor, tag, q)
    return jsonify({"items": [represent(item) for item in page.items], "next_cursor": page.next_cursor})


def patch(item_id: str, body: dict[str, Any], items: Inject[ItemsProvider]) -> Response:
    item = items.patch(UUID(item_id), body, request.headers.get("If-Match"))
    response = jsonify(represent(item))
    response.headers["ETag"] = etag_for(item.version)
    return response


def remove(item_id: str, items: Inject[ItemsProvider]) -> Response:
    items.delete(UUID(item_id), request.headers.get("If-Match"))
    return _empty(204)


def _empty(status: int, headers: dict[str, str] | None = None) -> Response:
    response = Response(status=status, headers=headers)
    del response.headers["Content-Type"]  # no body, so no media type to declare
    return response
