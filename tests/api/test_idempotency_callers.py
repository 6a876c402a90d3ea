"""Idempotency keys belong to one caller (the token's `sub`): another caller's reuse never replays."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, select

from adapters.items_repository import items
from adapters.tables import idempotency_keys, outbox
from settings import Settings
from tests.api.test_items_api import CHAIR, assert_problem, count
from tests.tokens import bearer

KEY = {"Idempotency-Key": "order-42"}


@pytest.fixture
def callers(app: Any, settings: Settings) -> Any:
    """A test client sending no token of its own, and the headers of callers A and B."""
    with app.test_client() as test_client:
        yield test_client, bearer(settings, subject="caller-a") | KEY, bearer(settings, subject="caller-b") | KEY


def test_another_caller_with_the_same_key_and_body_gets_a_409_not_the_first_callers_item(
    callers: Any, engine: Engine
) -> None:
    client, caller_a, caller_b = callers
    first = client.post("/v1/items", json=CHAIR, headers=caller_a)
    assert first.status_code == 201, first.text

    other = client.post("/v1/items", json=CHAIR, headers=caller_b)
    body = assert_problem(other, 409)  # a create of its own, which meets A's sku
    assert body["type"].endswith("/duplicate-sku")
    assert first.json()["id"] not in other.text and "idempotent-replayed" not in other.headers

    replay = client.post("/v1/items", json=CHAIR, headers=caller_a)
    assert replay.status_code == 201 and replay.json() == first.json()
    assert replay.headers["idempotent-replayed"] == "true"
    assert count(engine, items) == 1 and count(engine, outbox) == 1


def test_another_caller_with_the_same_key_creates_its_own_item(callers: Any, engine: Engine) -> None:
    client, caller_a, caller_b = callers
    first = client.post("/v1/items", json=CHAIR, headers=caller_a)
    other = client.post("/v1/items", json={**CHAIR, "sku": "CHAIR-2"}, headers=caller_b)
    assert first.status_code == other.status_code == 201, other.text
    assert other.json()["id"] != first.json()["id"] and other.json()["sku"] == "CHAIR-2"
    assert "idempotent-replayed" not in other.headers

    replays = [client.post("/v1/items", json=body, headers=headers) for body, headers in
               ((CHAIR, caller_a), ({**CHAIR, "sku": "CHAIR-2"}, caller_b))]  # fmt: skip
    assert [replay.json() for replay in replays] == [first.json(), other.json()]
    assert all(replay.headers["idempotent-replayed"] == "true" for replay in replays)
    # Each caller's key is bound to its own body: A's body under B's key is a reuse, not A's item.
    assert_problem(client.post("/v1/items", json=CHAIR, headers=caller_b), 422)
    assert count(engine, items) == 2 and count(engine, outbox) == 2
    with engine.connect() as connection:
        stored = connection.execute(select(idempotency_keys.c.caller, idempotency_keys.c.key)).all()
    assert sorted(stored) == [("caller-a", "order-42"), ("caller-b", "order-42")]


def test_a_category_key_is_scoped_per_caller_too(callers: Any, engine: Engine) -> None:
    client, caller_a, caller_b = callers
    first = client.post("/v1/categories", json={"name": "Seating"}, headers=caller_a)
    assert first.status_code == 201, first.text
    other = client.post("/v1/categories", json={"name": "Seating"}, headers=caller_b)
    assert assert_problem(other, 409)["type"].endswith("/duplicate-category-name")
    replay = client.post("/v1/categories", json={"name": "Seating"}, headers=caller_a)
    assert replay.status_code == 201 and replay.json() == first.json()
