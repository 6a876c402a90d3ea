"""Writes without If-Match under contention: every one succeeds, in turn, each with its own event."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from uuid import UUID

import httpx
import pytest
from sqlalchemy import Engine, select

from adapters.tables import outbox
from settings import Settings
from tests.integration.api_server import ApiServer
from tests.integration.outbox_writes import item_fields

pytestmark = pytest.mark.slow

WRITERS = 20
MERGE_PATCH = {"Content-Type": "application/merge-patch+json"}


def test_parallel_patches_without_if_match_all_succeed_and_each_is_one_version(
    settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    with ApiServer(settings, tmp_path / "api.log", workers=4) as api:
        headers = api.headers | MERGE_PATCH
        with httpx.Client(base_url=api.base_url, headers=api.headers, timeout=30) as client:
            created = client.post("/v1/items", json=item_fields("CONTENDED-1"))
            assert created.status_code == 201, created.text
            item_id = created.json()["id"]
        start = threading.Barrier(WRITERS)

        def patch(quantity: int) -> httpx.Response:
            # A client of its own per writer: its own connection, so the server sees them in parallel.
            with httpx.Client(base_url=api.base_url, headers=headers, timeout=60) as writer:
                writer.get("/health/live")  # connected before the start line
                start.wait(timeout=30)
                return writer.patch(f"/v1/items/{item_id}", json={"quantity": quantity})

        with ThreadPoolExecutor(WRITERS) as pool:
            responses = list(pool.map(patch, range(1, WRITERS + 1)))
        with httpx.Client(base_url=api.base_url, headers=api.headers, timeout=30) as client:
            final = client.get(f"/v1/items/{item_id}").json()

    assert [response.status_code for response in responses] == [200] * WRITERS, [r.text for r in responses]
    assert sorted(response.json()["version"] for response in responses) == list(range(2, WRITERS + 2))
    assert final["version"] == WRITERS + 1
    last_writer = next(response for response in responses if response.json()["version"] == WRITERS + 1)
    assert final["quantity"] == last_writer.json()["quantity"]
    query = select(outbox.c.aggregate_version, outbox.c.routing_key).where(outbox.c.aggregate_id == UUID(item_id))
    with engine.connect() as connection:
        rows = connection.execute(query.order_by(outbox.c.seq)).all()
    assert len(rows) == WRITERS + 1
    assert [row.aggregate_version for row in rows] == list(range(1, WRITERS + 2))
    assert [row.routing_key for row in rows] == ["item.created"] + ["item.updated"] * WRITERS
