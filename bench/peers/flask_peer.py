"""Bare Flask + SQLAlchemy 2 peer serving POST /v1/items and GET /v1/items/<id>."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from flask import Flask, Response, jsonify, request

from bench.peers.item_store import DuplicateSkuError, ItemStore, engine_from_environment, etag_for, item_document

_SKU = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


def create_app() -> Flask:
    """Application factory, called once per gunicorn worker."""
    app = Flask(__name__)
    store = ItemStore(engine_from_environment())

    @app.post("/v1/items")
    def create_item() -> Response | tuple[Response, int]:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return _problem(422, "Invalid item", "the body must be a JSON object")
        problem = _invalid(body)
        if problem:
            return _problem(422, "Invalid item", problem)
        try:
            row = store.create(body)
        except DuplicateSkuError:
            return _problem(409, "SKU already in use", f"sku {body['sku']!r} is taken")
        response = jsonify(item_document(row))
        response.status_code = 201
        response.headers["Location"] = f"/v1/items/{row['id']}"
        response.headers["ETag"] = etag_for(row["version"])
        return response

    @app.get("/v1/items/<uuid:item_id>")
    def read_item(item_id: UUID) -> Response | tuple[Response, int]:
        row = store.get(item_id)
        if row is None:
            return _problem(404, "Item not found", f"no item {item_id}")
        response = jsonify(item_document(row))
        response.headers["ETag"] = etag_for(row["version"])
        return response

    return app


def _invalid(body: dict[str, Any]) -> str | None:
    """The hand-written validation a bare Flask app would do; None when the body is fine."""
    price = body.get("price")
    checks = {
        "sku": isinstance(body.get("sku"), str) and _SKU.match(body["sku"]) is not None,
        "name": isinstance(body.get("name"), str) and 0 < len(body["name"]) <= 200,
        "description": isinstance(body.get("description", ""), str),
        "price.amount_minor": isinstance(price, dict) and _non_negative_int(price.get("amount_minor")),
        "price.currency": isinstance(price, dict) and _CURRENCY.match(str(price.get("currency"))) is not None,
        "quantity": _non_negative_int(body.get("quantity", 0)),
        "tags": isinstance(body.get("tags", []), list) and all(isinstance(tag, str) for tag in body.get("tags", [])),
    }
    failed = [field for field, ok in checks.items() if not ok]
    return f"invalid fields: {', '.join(failed)}" if failed else None


def _non_negative_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _problem(status: int, title: str, detail: str) -> tuple[Response, int]:
    response = jsonify({"type": "about:blank", "title": title, "status": status, "detail": detail})
    response.mimetype = "application/problem+json"
    return response, status
