"""A fuzz pass over the request edge, past what schemathesis sends: media types, parser limits, patterns.

Whatever arrives: never a 5xx, every error is problem+json, a rejected write stores nothing, and
whatever is stored matches every pattern of the spec as ECMA-262 reads it.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from adapters.items_repository import items
from adapters.tables import outbox
from app import load_spec
from schema_validation.ecma_patterns import matches
from tests.api.test_items_api import CHAIR, count

SPEC = load_spec()
CONTENT_TYPES = [
    None,
    "",
    "application/json",
    "APPLICATION/JSON",
    "Application/Json; Charset=UTF-8",
    "application/json;charset=utf-16",
    "application/json; charset=latin-1",
    " application/json ",
    "application/merge-patch+json",
    "APPLICATION/MERGE-PATCH+JSON",
    "application/*",
    "*/*",
    "json",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/json, text/plain",
]
CONTROL = ["\n", "\r\n", "\r", "\t", "\x00", "\x1f", "\x7f", "\x85", "\u2028", "\ufeff", " "]


def _set_sku(document: dict[str, Any], value: str) -> None:
    document["sku"] = value


def _set_name(document: dict[str, Any], value: str) -> None:
    document["name"] = value


def _set_description(document: dict[str, Any], value: str) -> None:
    document["description"] = value


def _set_tag(document: dict[str, Any], value: str) -> None:
    document["tags"] = [value]


def _set_currency(document: dict[str, Any], value: str) -> None:
    document["price"] = {**document["price"], "currency": value}


# Every field of ItemInput that carries a pattern, with a valid value to spoil.
PATTERNED = [(_set_sku, "S-1"), (_set_name, "n"), (_set_description, "d"), (_set_tag, "t"), (_set_currency, "EUR")]


@st.composite
def patterned_field_bodies(draw: st.DrawFn) -> bytes:
    setter, valid = draw(st.sampled_from(PATTERNED))
    affix = draw(st.sampled_from(CONTROL))
    document = dict(CHAIR)
    setter(document, draw(st.sampled_from([valid + affix, affix + valid, valid[0] + affix + valid[1:]])))
    return json.dumps(document).encode()


def nested(depth: int) -> bytes:
    return ("[" * depth + "]" * depth).encode()


BODIES = st.one_of(
    patterned_field_bodies(),
    st.integers(30, 3000).map(nested),
    st.integers(30, 3000).map(lambda depth: json.dumps(CHAIR).replace('"wood"', nested(depth).decode()).encode()),
    st.integers(17, 6000).map(lambda digits: json.dumps(CHAIR).replace("12900", "9" * digits).encode()),
    st.sampled_from([b"NaN", b"-Infinity", b"1e999999", b"", b"\xff\xfe", b'{"sku": ', b"null", b"[]", b'"x"']),
    st.binary(max_size=64),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=8),
        lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
        max_leaves=12,
    ).map(lambda document: json.dumps(document).encode()),
)


def assert_sane(response: Any) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/problem+json"), response.text
        assert response.json()["status"] == response.status_code


def assert_stored_items_match_the_spec(client: Any) -> None:
    schemas = SPEC["components"]["schemas"]
    for item in client.get("/v1/items", params={"limit": 100}).json()["items"]:
        assert matches(schemas["Sku"]["pattern"], item["sku"]), item
        assert matches(schemas["Name"]["pattern"], item["name"]), item
        assert matches(schemas["Money"]["properties"]["currency"]["pattern"], item["price"]["currency"]), item
        assert all(matches(schemas["Tag"]["pattern"], tag) for tag in item["tags"]), item


FUZZ = settings(
    max_examples=120, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(content_type=st.sampled_from(CONTENT_TYPES), content=BODIES)
def test_posts_never_fail_the_server(client: Any, engine: Engine, content_type: str | None, content: bytes) -> None:
    before = count(engine, items), count(engine, outbox)
    headers = {} if content_type is None else {"Content-Type": content_type}
    response = client.post("/v1/items", content=content, headers=headers)
    assert_sane(response)
    if response.status_code != 201:
        assert (count(engine, items), count(engine, outbox)) == before
    assert_stored_items_match_the_spec(client)


@pytest.fixture
def item_id(client: Any) -> str:
    """One item for the patches to aim at."""
    return str(client.post("/v1/items", json={**CHAIR, "sku": "PATCH-ME"}).json()["id"])


@FUZZ
@given(content_type=st.sampled_from(CONTENT_TYPES), content=BODIES)
def test_patches_never_fail_the_server(client: Any, item_id: str, content_type: str | None, content: bytes) -> None:
    version = client.get(f"/v1/items/{item_id}").json()["version"]
    headers = {} if content_type is None else {"Content-Type": content_type}
    response = client.patch(f"/v1/items/{item_id}", content=content, headers=headers)
    assert_sane(response)
    if response.status_code != 200:
        assert client.get(f"/v1/items/{item_id}").json()["version"] == version
    assert_stored_items_match_the_spec(client)


@FUZZ
@given(
    name=st.sampled_from(["cursor", "tag", "q", "limit"]),
    value=st.text(st.characters(codec="utf-8"), max_size=12).flatmap(
        lambda text: st.sampled_from([text, text + "\n", "\x00" + text, "a" * 600])
    ),
)
def test_query_parameters_never_fail_the_server(client: Any, name: str, value: str) -> None:
    assert_sane(client.get("/v1/items", params={name: value}))
