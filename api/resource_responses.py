"""The HTTP conventions every versioned resource shares: ETags, Location, replays, 304s and pages."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Response, jsonify, request

from api.etags import etag_for, if_none_match_hits
from providers.ports import IdempotencyKey
from providers.versioned_resources import Created, Page, Versioned

JSON = "application/json"
A = TypeVar("A", bound=Versioned)


def idempotency_key(caller: str | None) -> IdempotencyKey | None:
    """The request's Idempotency-Key, scoped to the authenticated caller (the token's `sub`)."""
    key = request.headers.get("Idempotency-Key")
    return IdempotencyKey(caller or "", key) if key is not None else None


def as_json(represent: Callable[[A], dict[str, Any]]) -> Callable[[A], str]:
    """The body a create answers with, and stores for its replays."""
    return lambda aggregate: json.dumps(represent(aggregate), separators=(",", ":"))


def created(outcome: Created, collection_path: str) -> Response:
    headers = {"Location": f"{collection_path}/{outcome.resource_id}", "ETag": etag_for(outcome.version)}
    if outcome.replayed:
        headers["Idempotent-Replayed"] = "true"
    return Response(outcome.body, 201, headers, mimetype=JSON)


def one(aggregate: A, represent: Callable[[A], dict[str, Any]], *, conditional: bool = False) -> Response:
    """The resource with its ETag; with `conditional`, a 304 when If-None-Match names its version."""
    etag = etag_for(aggregate.version)
    if conditional and if_none_match_hits(request.headers.get("If-None-Match"), aggregate.version):
        return empty(304, {"ETag": etag})
    response = jsonify(represent(aggregate))
    response.headers["ETag"] = etag
    return response


def page(found: Page[A], represent: Callable[[A], dict[str, Any]], name: str) -> Response:
    return jsonify({name: [represent(aggregate) for aggregate in found.items], "next_cursor": found.next_cursor})


def empty(status: int, headers: dict[str, str] | None = None) -> Response:
    response = Response(status=status, headers=headers)
    del response.headers["Content-Type"]  # no body, so no media type to declare
    return response
