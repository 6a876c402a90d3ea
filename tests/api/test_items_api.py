"""The Items API through Connexion's test client, on SQLite and on the real PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from adapters.items_repository import items
from adapters.tables import outbox

CHAIR: dict[str, Any] = {
    "sku": "CHAIR-1",
    "name": "Oak chair",
    "price": {"amount_minor": 12900, "currency": "EUR"},
    "tags": ["wood", "seating"],
}
MERGE_PATCH = {"Content-Type": "application/merge-patch+json"}


def create(client: Any, body: dict[str, Any] | None = None, **headers: str) -> Any:
    return client.post("/v1/items", json=body or CHAIR, headers=headers)


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert {"type", "title", "status", "detail"} <= body.keys() and body["status"] == status
    assert "Traceback" not in response.text
    return dict(body)


def count(engine: Engine, table: Any) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def test_create_answers_201_with_location_and_etag(client: Any) -> None:
    response = create(client)
    assert response.status_code == 201
    body = response.json()
    assert response.headers["location"] == f"/v1/items/{body['id']}"
    assert response.headers["etag"] == '"1"'
    assert body["version"] == 1 and body["quantity"] == 0 and body["price"] == CHAIR["price"]
    assert body["created_at"].endswith("Z")


def test_read_answers_200_then_304_for_its_etag(client: Any) -> None:
    item_id = create(client).json()["id"]
    first = client.get(f"/v1/items/{item_id}")
    assert first.status_code == 200 and first.json()["sku"] == "CHAIR-1"
    again = client.get(f"/v1/items/{item_id}", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.headers["etag"] == first.headers["etag"]


def test_unknown_item_is_a_404_problem(client: Any) -> None:
    assert_problem(client.get("/v1/items/0190b5a8-0000-7000-8000-000000000000"), 404)


def test_duplicate_sku_is_a_409_problem_and_writes_nothing(client: Any, engine: Engine) -> None:
    create(client)
    body = assert_problem(create(client, {**CHAIR, "name": "Another"}), 409)
    assert body["type"].endswith("/duplicate-sku")
    assert count(engine, items) == 1 and count(engine, outbox) == 1


def test_idempotency_key_replays_and_rejects_another_body(client: Any, engine: Engine) -> None:
    first = create(client, **{"Idempotency-Key": "order-7"})
    replay = create(client, **{"Idempotency-Key": "order-7"})
    assert replay.status_code == 201 and replay.json() == first.json()
    assert replay.headers["location"] == first.headers["location"]
    assert count(engine, items) == 1 and count(engine, outbox) == 1
    assert_problem(create(client, {**CHAIR, "sku": "OTHER"}, **{"Idempotency-Key": "order-7"}), 422)


def test_patch_merges_and_honours_if_match(client: Any) -> None:
    item_id = create(client, {**CHAIR, "description": "solid"}).json()["id"]
    patched = client.patch(
        f"/v1/items/{item_id}",
        json={"name": "Stool", "description": None, "price": {"amount_minor": 100}},
        headers={**MERGE_PATCH, "If-Match": '"1"'},
    )
    assert patched.status_code == 200, patched.text
    body = patched.json()
    assert body["name"] == "Stool" and "description" not in body and body["version"] == 2
    assert body["price"] == {"amount_minor": 100, "currency": "EUR"}
    assert patched.headers["etag"] == '"2"'
    stale = client.patch(f"/v1/items/{item_id}", json={"name": "X"}, headers={**MERGE_PATCH, "If-Match": '"1"'})
    assert_problem(stale, 412)
    assert client.get(f"/v1/items/{item_id}").json()["name"] == "Stool"


def test_patch_that_would_make_the_item_invalid_changes_nothing(client: Any, engine: Engine) -> None:
    item_id = create(client).json()["id"]
    for patch in ({"price": None}, {"price": {"currency": None}}, {"sku": None}, {"quantity": -5}):
        response = client.patch(f"/v1/items/{item_id}", json=patch, headers=MERGE_PATCH)
        assert_problem(response, response.status_code)
        assert response.status_code in (400, 422)
    assert client.get(f"/v1/items/{item_id}").json()["version"] == 1
    assert count(engine, outbox) == 1


def test_patch_to_a_taken_sku_is_a_409(client: Any) -> None:
    create(client)
    other = create(client, {**CHAIR, "sku": "TABLE-1"}).json()["id"]
    response = client.patch(f"/v1/items/{other}", json={"sku": "CHAIR-1"}, headers=MERGE_PATCH)
    assert_problem(response, 409)


def test_patch_needs_the_merge_patch_media_type(client: Any) -> None:
    item_id = create(client).json()["id"]
    assert_problem(client.patch(f"/v1/items/{item_id}", json={"name": "X"}), 415)


def test_delete_honours_if_match_then_404s(client: Any) -> None:
    item_id = create(client).json()["id"]
    assert_problem(client.delete(f"/v1/items/{item_id}", headers={"If-Match": '"9"'}), 412)
    assert client.delete(f"/v1/items/{item_id}", headers={"If-Match": '"1"'}).status_code == 204
    assert_problem(client.get(f"/v1/items/{item_id}"), 404)
    assert_problem(client.delete(f"/v1/items/{item_id}"), 404)


def test_list_pages_through_everything_in_a_stable_order(client: Any) -> None:
    ids = [create(client, {**CHAIR, "sku": f"S-{n:02}"}).json()["id"] for n in range(25)]
    page = client.get("/v1/items").json()
    assert len(page["items"]) == 20 and page["next_cursor"]
    seen, cursor = [], None
    while True:
        response = client.get("/v1/items", params={"limit": 7, **({"cursor": cursor} if cursor else {})})
        body = response.json()
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == ids


def test_list_filters_by_tag_and_text(client: Any) -> None:
    create(client, {**CHAIR, "sku": "A-1", "name": "Red lamp", "tags": ["light"]})
    create(client, {**CHAIR, "sku": "B-2", "name": "Blue chair", "tags": ["seat"]})
    create(client, {**CHAIR, "sku": "LAMP-3", "name": "Desk", "tags": ["light", "desk"]})
    by_tag = client.get("/v1/items", params={"tag": "light"}).json()["items"]
    assert [item["sku"] for item in by_tag] == ["A-1", "LAMP-3"]
    by_text = client.get("/v1/items", params={"q": "lamp"}).json()["items"]
    assert [item["sku"] for item in by_text] == ["A-1", "LAMP-3"]
    assert client.get("/v1/items", params={"q": "%"}).json()["items"] == []


@pytest.mark.parametrize("cursor", ["not-a-cursor", "eyJ2IjoxfQ", "e30"])
def test_bad_cursor_is_a_400_problem(client: Any, cursor: str) -> None:
    assert_problem(client.get("/v1/items", params={"cursor": cursor}), 400)


@pytest.mark.parametrize("limit", [0, 101, "x"])
def test_limit_out_of_range_is_a_400_problem(client: Any, limit: object) -> None:
    assert_problem(client.get("/v1/items", params={"limit": limit}), 400)


@pytest.mark.parametrize(
    "body",
    [
        {**CHAIR, "sku": "-bad"},
        {**CHAIR, "name": ""},
        {**CHAIR, "price": {"amount_minor": 1.5, "currency": "EUR"}},
        {**CHAIR, "price": {"amount_minor": 1, "currency": "eur"}},
        {**CHAIR, "quantity": -1},
        {**CHAIR, "tags": ["a", "a"]},
        {**CHAIR, "tags": [f"t{n}" for n in range(21)]},
        {**CHAIR, "id": "0190b5a8-0000-7000-8000-000000000000"},
        {**CHAIR, "description": "x" * 2001},
        {**CHAIR, "name": "nul\u0000byte"},
    ],
)
def test_schema_violations_are_400_problems_and_write_nothing(
    client: Any, engine: Engine, body: dict[str, Any]
) -> None:
    assert_problem(create(client, body), 400)
    assert count(engine, items) == 0 and count(engine, outbox) == 0


def test_malformed_json_is_a_400_problem(client: Any) -> None:
    response = client.post("/v1/items", content=b'{"sku": ', headers={"Content-Type": "application/json"})
    assert_problem(response, 400)


def test_wrong_content_type_is_a_415_problem(client: Any) -> None:
    response = client.post("/v1/items", content=b"sku=x", headers={"Content-Type": "text/plain"})
    assert_problem(response, 415)


def test_body_over_one_mebibyte_is_a_413_problem(client: Any, engine: Engine) -> None:
    big = {**CHAIR, "description": "x" * (1024 * 1024)}
    assert_problem(create(client, big), 413)
    assert count(engine, items) == 0


def test_unknown_route_and_wrong_method_are_problems(client: Any) -> None:
    assert_problem(client.get("/nowhere"), 404)
    assert_problem(client.put("/v1/items"), 405)


def test_lone_surrogate_is_a_400_problem_not_a_500(client: Any) -> None:
    body = b'{"sku": "S-1", "name": "\\ud800", "price": {"amount_minor": 1, "currency": "EUR"}}'
    response = client.post("/v1/items", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code in (201, 400) and response.status_code < 500


def test_health_ready_reports_the_database(client: Any) -> None:
    response = client.get("/health/ready")
    assert response.status_code == 200 and response.json()["checks"]["database"]["ok"] is True
    assert client.get("/health/live").status_code == 200


def test_swagger_ui_and_spec_are_served(client: Any) -> None:
    ui = client.get("/ui/")
    assert ui.status_code == 200 and "swagger-ui" in ui.text
    assert "//unpkg.com" not in ui.text and "//cdn" not in ui.text
    spec = client.get("/openapi.json").json()
    assert spec["info"]["title"] == "Items service" and "/v1/items" in spec["paths"]


def test_a_path_connexion_cannot_route_is_a_404_not_a_500(client: Any) -> None:
    assert_problem(client.get("/v1/items/H%C2%8E%0A%C3%BCE"), 404)
