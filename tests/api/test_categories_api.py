"""The Categories API, and items that name a category, on SQLite and on the real PostgreSQL."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import Engine, select

from adapters.categories_repository import categories
from adapters.items_repository import items
from adapters.tables import outbox
from settings import Settings
from tests.api.test_items_api import CHAIR, MERGE_PATCH, assert_problem, count
from tests.tokens import bearer

SEATING: dict[str, Any] = {"name": "Seating", "description": "Chairs, stools and benches"}
UNKNOWN_ID = "0190b5a8-0000-7000-8000-000000000000"


def create_category(client: Any, body: dict[str, Any] | None = None, **headers: str) -> Any:
    return client.post("/v1/categories", json=SEATING if body is None else body, headers=headers)


def new_category(client: Any, name: str = "Seating") -> str:
    response = create_category(client, {"name": name})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def outbox_rows(engine: Engine) -> list[tuple[str, str, int]]:
    """(aggregate id, routing key, version) of every outbox row, in write order."""
    query = select(outbox.c.aggregate_id, outbox.c.routing_key, outbox.c.aggregate_version).order_by(outbox.c.seq)
    with engine.connect() as connection:
        return [(str(row.aggregate_id), row.routing_key, row.aggregate_version) for row in connection.execute(query)]


def test_create_answers_201_with_location_and_etag(client: Any) -> None:
    response = create_category(client)
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == f"/v1/categories/{body['id']}"
    assert response.headers["etag"] == '"1"'
    assert body["name"] == "Seating" and body["description"] == SEATING["description"] and body["version"] == 1
    assert body["created_at"].endswith("Z") and body["updated_at"] == body["created_at"]


def test_idempotency_key_replays_and_rejects_another_body(client: Any, engine: Engine) -> None:
    first = create_category(client, **{"Idempotency-Key": "seating-1"})
    replay = create_category(client, **{"Idempotency-Key": "seating-1"})
    assert first.status_code == replay.status_code == 201, replay.text
    assert replay.json() == first.json() and replay.headers["location"] == first.headers["location"]
    assert replay.headers["idempotent-replayed"] == "true"
    assert count(engine, categories) == 1 and count(engine, outbox) == 1
    other = assert_problem(create_category(client, {"name": "Tables"}, **{"Idempotency-Key": "seating-1"}), 422)
    assert other["type"].endswith("/idempotency-key-reused")
    assert count(engine, categories) == 1 and count(engine, outbox) == 1


def test_an_idempotency_key_of_an_item_is_not_a_categorys(client: Any) -> None:
    item = client.post("/v1/items", json=CHAIR, headers={"Idempotency-Key": "shared"})
    assert item.status_code == 201, item.text
    assert_problem(create_category(client, **{"Idempotency-Key": "shared"}), 422)


def test_duplicate_name_is_a_409_problem_and_writes_nothing(client: Any, engine: Engine) -> None:
    create_category(client)
    body = assert_problem(create_category(client, {"name": "Seating"}), 409)
    assert body["type"].endswith("/duplicate-category-name")
    assert count(engine, categories) == 1 and count(engine, outbox) == 1


def test_read_answers_200_then_304_for_its_etag_and_404_for_an_unknown_id(client: Any) -> None:
    category_id = new_category(client)
    first = client.get(f"/v1/categories/{category_id}")
    assert first.status_code == 200 and first.json()["name"] == "Seating"
    again = client.get(f"/v1/categories/{category_id}", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.headers["etag"] == first.headers["etag"] and not again.content
    stale = client.get(f"/v1/categories/{category_id}", headers={"If-None-Match": '"7"'})
    assert stale.status_code == 200
    assert assert_problem(client.get(f"/v1/categories/{UNKNOWN_ID}"), 404)["type"].endswith("/category-not-found")


def test_list_pages_through_everything_following_next_cursor(client: Any) -> None:
    ids = [new_category(client, f"Category {n:02}") for n in range(12)]
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        response = client.get("/v1/categories", params={"limit": 5, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.text
        body = response.json()
        seen += [category["id"] for category in body["categories"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == ids and pages == 3
    assert_problem(client.get("/v1/categories", params={"cursor": "not-a-cursor"}), 400)
    assert_problem(client.get("/v1/categories", params={"limit": 0}), 400)


def test_patch_merges_with_if_match_and_a_stale_if_match_is_a_412(client: Any, engine: Engine) -> None:
    category_id = new_category(client)
    patched = client.patch(
        f"/v1/categories/{category_id}",
        json={"name": "Seats", "description": None},
        headers={**MERGE_PATCH, "If-Match": '"1"'},
    )
    assert patched.status_code == 200, patched.text
    body = patched.json()
    assert body["name"] == "Seats" and "description" not in body and body["version"] == 2
    assert patched.headers["etag"] == '"2"'
    path = f"/v1/categories/{category_id}"
    stale = client.patch(path, json={"name": "X"}, headers={**MERGE_PATCH, "If-Match": '"1"'})
    assert_problem(stale, 412)
    assert client.get(path).json()["name"] == "Seats"
    assert [row[1:] for row in outbox_rows(engine)] == [("category.created", 1), ("category.updated", 2)]


def test_patch_errors_are_problems_and_change_nothing(client: Any, engine: Engine) -> None:
    category_id = new_category(client)
    new_category(client, "Tables")
    path = f"/v1/categories/{category_id}"
    assert assert_problem(client.patch(path, json={"name": "Tables"}, headers=MERGE_PATCH), 409)["type"].endswith(
        "/duplicate-category-name"
    )
    removed_name = client.patch(path, json={"name": None}, headers=MERGE_PATCH)
    assert removed_name.status_code in (400, 422)
    assert_problem(removed_name, removed_name.status_code)
    assert_problem(client.patch(path, json={"name": "X"}), 415)
    assert_problem(client.patch(f"/v1/categories/{UNKNOWN_ID}", json={"name": "X"}, headers=MERGE_PATCH), 404)
    assert client.get(path).json()["version"] == 1
    assert count(engine, outbox) == 2


def test_delete_answers_204_then_404(client: Any, engine: Engine) -> None:
    category_id = new_category(client)
    assert_problem(client.delete(f"/v1/categories/{category_id}", headers={"If-Match": '"9"'}), 412)
    deleted = client.delete(f"/v1/categories/{category_id}", headers={"If-Match": '"1"'})
    assert deleted.status_code == 204 and not deleted.content
    assert_problem(client.get(f"/v1/categories/{category_id}"), 404)
    assert_problem(client.delete(f"/v1/categories/{category_id}"), 404)
    assert count(engine, categories) == 0
    assert outbox_rows(engine) == [(category_id, "category.created", 1), (category_id, "category.deleted", 2)]


def test_every_write_is_one_outbox_row_with_its_routing_key(client: Any, engine: Engine) -> None:
    category_id = new_category(client)
    path = f"/v1/categories/{category_id}"
    assert client.patch(path, json={"description": "Chairs"}, headers=MERGE_PATCH).status_code == 200
    assert client.patch(path, json={"description": "Chairs"}, headers=MERGE_PATCH).status_code == 200  # no change
    assert client.delete(path).status_code == 204
    assert outbox_rows(engine) == [
        (category_id, "category.created", 1),
        (category_id, "category.updated", 2),
        (category_id, "category.deleted", 3),
    ]
    with engine.connect() as connection:
        types = connection.execute(select(outbox.c.event_type).order_by(outbox.c.seq)).scalars().all()
    assert types == ["CategoryCreated", "CategoryUpdated", "CategoryDeleted"]


@pytest.mark.parametrize(
    "body", [{}, {"name": ""}, {"name": "x" * 101}, {"name": "Seating", "id": UNKNOWN_ID}, {"name": "nul\u0000"}]
)
def test_schema_violations_are_400_problems_and_write_nothing(
    client: Any, engine: Engine, body: dict[str, Any]
) -> None:
    assert_problem(create_category(client, body), 400)
    assert count(engine, categories) == 0 and count(engine, outbox) == 0


@pytest.fixture
def anonymous(app: Any) -> Any:
    """A test client that sends no token of its own."""
    with app.test_client() as test_client:
        yield test_client


def test_category_operations_need_the_category_scopes(anonymous: Any, client: Any, settings: Settings) -> None:
    category_id = new_category(client)
    path = f"/v1/categories/{category_id}"
    items_only = bearer(settings, scopes="items:read items:write")
    reader = bearer(settings, scopes="categories:read")
    writer = bearer(settings, scopes="categories:write")
    for headers in (items_only, writer):
        assert_problem(anonymous.get("/v1/categories", headers=headers), 403)
        assert_problem(anonymous.get(path, headers=headers), 403)
    for headers in (items_only, reader):
        assert_problem(anonymous.post("/v1/categories", json={"name": "Tables"}, headers=headers), 403)
        assert_problem(anonymous.patch(path, json={"name": "X"}, headers={**headers, **MERGE_PATCH}), 403)
        assert_problem(anonymous.delete(path, headers=headers), 403)
    assert_problem(anonymous.get(path), 401)
    assert anonymous.get(path, headers=reader).status_code == 200
    assert anonymous.post("/v1/categories", json={"name": "Tables"}, headers=writer).status_code == 201
    assert anonymous.delete(path, headers=writer).status_code == 204


def test_an_item_naming_an_unknown_or_deleted_category_is_a_422_and_stores_nothing(
    client: Any, engine: Engine
) -> None:
    gone = new_category(client, "Gone")
    assert client.delete(f"/v1/categories/{gone}").status_code == 204
    rows_before = count(engine, outbox)
    for category_id in (UNKNOWN_ID, gone):
        body = assert_problem(client.post("/v1/items", json={**CHAIR, "category_id": category_id}), 422)
        assert body["type"].endswith("/invalid-item")
    assert count(engine, items) == 0 and count(engine, outbox) == rows_before

    item_id = client.post("/v1/items", json=CHAIR).json()["id"]
    patch = client.patch(f"/v1/items/{item_id}", json={"category_id": gone}, headers=MERGE_PATCH)
    assert assert_problem(patch, 422)["type"].endswith("/invalid-item")
    item = client.get(f"/v1/items/{item_id}").json()
    assert item["version"] == 1 and "category_id" not in item
    assert count(engine, outbox) == rows_before + 1


def test_a_category_an_item_names_cannot_be_deleted_until_the_item_leaves(client: Any, engine: Engine) -> None:
    category_id = new_category(client)
    created = client.post("/v1/items", json={**CHAIR, "category_id": category_id})
    assert created.status_code == 201, created.text
    item_id = created.json()["id"]
    assert created.json()["category_id"] == category_id
    rows_before = outbox_rows(engine)

    refused = assert_problem(client.delete(f"/v1/categories/{category_id}"), 409)
    assert refused["type"].endswith("/category-in-use")
    assert client.get(f"/v1/categories/{category_id}").json()["version"] == 1
    assert outbox_rows(engine) == rows_before

    detached = client.patch(f"/v1/items/{item_id}", json={"category_id": None}, headers=MERGE_PATCH)
    assert detached.status_code == 200, detached.text
    assert "category_id" not in detached.json() and detached.json()["version"] == 2
    with engine.connect() as connection:
        assert connection.execute(select(items.c.category_id).where(items.c.id == UUID(item_id))).scalar_one() is None
    assert client.delete(f"/v1/categories/{category_id}").status_code == 204
    assert [row[1] for row in outbox_rows(engine)] == [
        "category.created",
        "item.created",
        "item.updated",
        "category.deleted",
    ]


def test_an_item_moves_between_categories_by_patch(client: Any) -> None:
    seating, tables = new_category(client, "Seating"), new_category(client, "Tables")
    item_id = client.post("/v1/items", json=CHAIR).json()["id"]
    moved = client.patch(f"/v1/items/{item_id}", json={"category_id": seating}, headers=MERGE_PATCH)
    assert moved.status_code == 200 and moved.json()["category_id"] == seating
    moved = client.patch(f"/v1/items/{item_id}", json={"category_id": tables}, headers=MERGE_PATCH)
    assert moved.status_code == 200 and moved.json()["category_id"] == tables
    assert client.delete(f"/v1/categories/{seating}").status_code == 204
    assert_problem(client.delete(f"/v1/categories/{tables}"), 409)
