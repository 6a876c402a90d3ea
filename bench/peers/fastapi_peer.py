"""FastAPI + SQLAlchemy 2 + pydantic peer with sync handlers and a small thread pool."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any
from uuid import UUID

from anyio import to_thread
from fastapi import FastAPI, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from bench.peers.item_store import DuplicateSkuError, ItemStore, engine_from_environment, etag_for, item_document

Sku = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
NonNegative = Annotated[int, Field(ge=0, le=9007199254740991)]


class Money(BaseModel):
    """An amount in integer minor units of an ISO 4217 currency."""

    amount_minor: NonNegative
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


class ItemInput(BaseModel):
    """The client fields of a new item."""

    sku: Sku
    name: Annotated[str, Field(min_length=1, max_length=200)]
    description: Annotated[str, Field(max_length=2000)] | None = None
    price: Money
    quantity: NonNegative = 0
    tags: Annotated[list[Annotated[str, Field(min_length=1, max_length=40)]], Field(max_length=20)] = []


class Item(ItemInput):
    """An item as the API answers it."""

    id: UUID
    version: int
    created_at: str
    updated_at: str


def create_app() -> FastAPI:
    """Application factory, called once per gunicorn worker."""
    return build_app(ItemStore(engine_from_environment()))


def build_app(store: ItemStore) -> FastAPI:
    """The peer's endpoints over `store`; a variant changes only what the store does on a write."""
    threads = int(os.environ.get("PEER_THREADS", "8"))

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        to_thread.current_default_thread_limiter().total_tokens = threads
        yield

    app = FastAPI(lifespan=lifespan, openapi_url=None)

    @app.post("/v1/items", status_code=201, response_model=Item, response_model_exclude_none=True)
    def create_item(item: ItemInput, response: Response) -> Any:
        try:
            row = store.create(item.model_dump())
        except DuplicateSkuError:
            return _problem(409, "SKU already in use", f"sku {item.sku!r} is taken")
        response.headers["Location"] = f"/v1/items/{row['id']}"
        response.headers["ETag"] = etag_for(row["version"])
        return item_document(row)

    @app.get("/v1/items/{item_id}", response_model=Item, response_model_exclude_none=True)
    def read_item(item_id: UUID, response: Response) -> Any:
        row = store.get(item_id)
        if row is None:
            return _problem(404, "Item not found", f"no item {item_id}")
        response.headers["ETag"] = etag_for(row["version"])
        return item_document(row)

    return app


def _problem(status: int, title: str, detail: str) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return JSONResponse(body, status_code=status, media_type="application/problem+json")
