"""Regressions of hostile requests at the HTTP edge: each is a problem+json 4xx, and nothing is stored."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import Engine

from adapters.items_repository import items
from adapters.tables import outbox
from tests.api.test_items_api import CHAIR, MERGE_PATCH, assert_problem, count, create

BODY = json.dumps(CHAIR).encode()
DEEP = ("[" * 2000 + "]" * 2000).encode()
NEARLY_DEEP = ("[" * 900 + "]" * 900).encode()


def post(client: Any, content: bytes, content_type: str | None) -> Any:
    headers = {} if content_type is None else {"Content-Type": content_type}
    return client.post("/v1/items", content=content, headers=headers)


def assert_nothing_stored(engine: Engine) -> None:
    assert count(engine, items) == 0 and count(engine, outbox) == 0


def test_a_body_without_content_type_is_a_415(client: Any, engine: Engine) -> None:
    body = assert_problem(post(client, BODY, None), 415)
    assert "Content-Type" in body["detail"]
    assert_nothing_stored(engine)


def test_a_patch_without_content_type_is_a_415_that_echoes_nothing(client: Any) -> None:
    item_id = create(client).json()["id"]
    response = client.patch(f"/v1/items/{item_id}", content=b'{"name": "X"}')
    assert "X" not in assert_problem(response, 415)["detail"]


@pytest.mark.parametrize(
    "content_type", ["APPLICATION/JSON", "Application/Json; Charset=UTF-8", "application/json ; charset=utf-8"]
)
def test_media_types_are_case_insensitive(client: Any, content_type: str) -> None:
    response = post(client, BODY, content_type)
    assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/json; charset=latin-1", "json", "application/json, text/plain", "*/*", ""],
)
def test_other_media_types_and_charsets_are_415s(client: Any, engine: Engine, content_type: str) -> None:
    assert_problem(post(client, BODY, content_type), 415)
    assert_nothing_stored(engine)


def test_a_patch_in_upper_case_is_applied(client: Any) -> None:
    item_id = create(client).json()["id"]
    response = client.patch(
        f"/v1/items/{item_id}", content=b'{"name": "Stool"}', headers={"Content-Type": "APPLICATION/MERGE-PATCH+JSON"}
    )
    assert response.status_code == 200 and response.json()["name"] == "Stool"


@pytest.mark.parametrize("content", [DEEP, NEARLY_DEEP], ids=["2000-levels", "900-levels"])
def test_deep_nesting_is_a_short_400(client: Any, engine: Engine, content: bytes) -> None:
    detail = assert_problem(post(client, content, "application/json"), 400)["detail"]
    assert "[[" not in detail and len(detail) < 120
    assert_nothing_stored(engine)


@pytest.mark.parametrize("content", [DEEP, NEARLY_DEEP], ids=["2000-levels", "900-levels"])
def test_deep_nesting_in_a_patch_is_a_400(client: Any, content: bytes) -> None:
    item_id = create(client).json()["id"]
    response = client.patch(f"/v1/items/{item_id}", content=content, headers=MERGE_PATCH)
    assert "[[" not in assert_problem(response, 400)["detail"]


def test_deep_nesting_inside_a_field_is_a_400(client: Any, engine: Engine) -> None:
    content = BODY.replace(b'"wood"', b"[" * 600 + b"]" * 600)
    assert "[[" not in assert_problem(post(client, content, "application/json"), 400)["detail"]
    assert_nothing_stored(engine)


@pytest.mark.parametrize("literal", [b"1" + b"0" * 5000, b"NaN", b"Infinity", b"-Infinity"])
def test_numbers_json_cannot_carry_are_400s(client: Any, engine: Engine, literal: bytes) -> None:
    content = BODY.replace(b'"amount_minor": 12900', b'"amount_minor": ' + literal)
    assert literal in content
    assert_problem(post(client, content, "application/json"), 400)
    assert_nothing_stored(engine)


def test_a_long_value_is_shortened_in_the_detail(client: Any) -> None:
    detail = assert_problem(create(client, {**CHAIR, "description": "x" * 3000}), 400)["detail"]
    assert "x" * 100 not in detail and "description" in detail


@pytest.mark.parametrize(
    "field",
    [
        {"sku": "X-1\n"},
        {"sku": "X-1\r\n"},
        {"price": {"amount_minor": 1, "currency": "EUR\n"}},
        {"name": "nul\u0000"},
        {"tags": ["a\u0000"]},
    ],
)
def test_patterns_match_the_whole_value_as_ecma_262_says(
    client: Any, engine: Engine, field: dict[str, Any]
) -> None:
    assert_problem(create(client, {**CHAIR, **field}), 400)
    assert_nothing_stored(engine)


@pytest.mark.parametrize("patch", [{"sku": "X-1\n"}, {"price": {"currency": "EUR\n"}}])
def test_a_patch_to_a_trailing_newline_is_a_400(client: Any, patch: dict[str, Any]) -> None:
    item_id = create(client).json()["id"]
    assert_problem(client.patch(f"/v1/items/{item_id}", json=patch, headers=MERGE_PATCH), 400)
    assert client.get(f"/v1/items/{item_id}").json()["version"] == 1


@pytest.mark.parametrize("params", [{"cursor": "abc\n"}, {"tag": "a\u0000"}, {"q": "x\u0000"}])
def test_query_parameter_patterns_are_ecma_262_too(client: Any, params: dict[str, str]) -> None:
    assert_problem(client.get("/v1/items", params=params), 400)


def test_a_trailing_slash_is_a_404_problem_not_a_redirect(client: Any) -> None:
    response = client.get("/v1/items/", follow_redirects=False)
    assert "trailing slash" in assert_problem(response, 404)["detail"]
    assert client.get("/ui/").status_code == 200
