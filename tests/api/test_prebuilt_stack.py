"""The prebuilt request validation and operations answer every request as Connexion's own stack does.

Two apps from the one factory, each on its own SQLite file: the service as shipped, and the same
service with Connexion's RequestValidationMiddleware and FlaskOperation views put back. The same
requests, valid and hostile, get the same status, headers that matter and body from both.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from connexion import FlaskApp
from connexion.middleware.request_validation import RequestValidationMiddleware

import app as composition
from api.prebuilt_validation import PrebuiltRequestValidationOperation
from settings import Settings
from tests.api.test_items_api import CHAIR
from tests.conftest import migrate
from tests.tokens import bearer

ITEM = "{item}"
CATEGORY = "{category}"
JSON = {"Content-Type": "application/json"}
MERGE_PATCH = {"Content-Type": "application/merge-patch+json"}
UUID = r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"
VOLATILE = re.compile(rf'"(created_at|updated_at|id|next_cursor)":"[^"]*"|{UUID}')


def _chair(sku: str) -> bytes:
    return json.dumps({**CHAIR, "sku": sku}).encode()


# (method, path, headers, body): ITEM and CATEGORY stand for the ids of rows each app made first.
REQUESTS: list[tuple[str, str, dict[str, str], bytes | None]] = [
    ("POST", "/v1/items", JSON, _chair("NEW-1")),
    ("POST", "/v1/items", {"Content-Type": "application/json; charset=utf-8"}, _chair("NEW-2")),
    ("POST", "/v1/items", {"Content-Type": "APPLICATION/JSON"}, _chair("NEW-3")),
    ("POST", "/v1/items", JSON, _chair("NEW-1")),  # taken sku
    ("POST", "/v1/items", JSON, json.dumps({"sku": "NO-NAME", "price": CHAIR["price"]}).encode()),
    ("POST", "/v1/items", JSON, json.dumps({**CHAIR, "sku": "BAD\n"}).encode()),
    ("POST", "/v1/items", JSON, json.dumps({**CHAIR, "quantity": "many"}).encode()),
    ("POST", "/v1/items", JSON, json.dumps({**CHAIR, "extra": 1}).encode()),
    ("POST", "/v1/items", JSON, b"null"),
    ("POST", "/v1/items", JSON, b"[]"),
    ("POST", "/v1/items", JSON, b"{"),
    ("POST", "/v1/items", JSON, b""),
    ("POST", "/v1/items", JSON, None),
    ("POST", "/v1/items", {"Content-Type": "text/plain"}, b"chair"),
    ("POST", "/v1/items", {"Content-Type": "application/x-www-form-urlencoded"}, b"sku=A&name=B"),
    ("POST", "/v1/items", {"Content-Type": "multipart/form-data; boundary=x"}, b"--x\r\n\r\n--x--\r\n"),
    ("POST", "/v1/items", {"Content-Type": "application/json; charset=latin-1"}, b"{}"),
    ("POST", "/v1/items", {}, _chair("NO-TYPE")),
    ("GET", "/v1/items", {}, None),
    ("GET", "/v1/items?limit=2", {}, None),
    ("GET", "/v1/items?limit=0", {}, None),
    ("GET", "/v1/items?limit=abc", {}, None),
    ("GET", "/v1/items?limit=1000000", {}, None),
    ("GET", "/v1/items?cursor=%00", {}, None),
    ("GET", "/v1/items?unknown=1", {}, None),
    ("GET", f"/v1/items/{ITEM}", {}, None),
    ("GET", "/v1/items/not-a-uuid", {}, None),
    ("GET", "/v1/items/0190b5a8-0000-7000-8000-000000000000", {}, None),
    ("PATCH", f"/v1/items/{ITEM}", MERGE_PATCH, b'{"name": "Renamed"}'),
    ("PATCH", f"/v1/items/{ITEM}", MERGE_PATCH, b'{"price": {"amount_minor": -1}}'),
    ("PATCH", f"/v1/items/{ITEM}", MERGE_PATCH, b'{"version": 9}'),
    ("PATCH", f"/v1/items/{ITEM}", JSON, b'{"name": "As JSON"}'),
    ("PATCH", f"/v1/items/{ITEM}", {**MERGE_PATCH, "If-Match": '"1"'}, b'{"name": "Stale"}'),
    ("PATCH", f"/v1/items/{ITEM}", MERGE_PATCH, b""),
    ("POST", "/v1/categories", JSON, b'{"name": ""}'),
    ("POST", "/v1/categories", JSON, b'{"name": "Chairs", "colour": 1}'),
    ("GET", f"/v1/categories/{CATEGORY}", {}, None),
    ("DELETE", f"/v1/items/{ITEM}", {"If-Match": '"7"'}, None),
    ("DELETE", f"/v1/items/{ITEM}", {}, None),
    ("GET", f"/v1/items/{ITEM}", {}, None),
]
HEADERS_COMPARED = ("content-type", "etag", "allow", "idempotent-replayed")


def connexion_own_validation(middlewares: Sequence[Any], before: Sequence[Any] = ()) -> list[Any]:
    stack = list(middlewares)
    at = stack.index(RequestValidationMiddleware)
    stack[at:at] = list(before)
    return stack


def _client_of(tmp_path: Path, name: str, build: Callable[[Settings], FlaskApp]) -> Any:
    url = f"sqlite:///{tmp_path / (name + '.db')}"
    migrate(url)
    settings = Settings(database_url=url, validate_responses=True, auth_dev_secret_file=tmp_path / "jwt-secret")
    return build(settings).test_client(headers=bearer(settings))


def _answers(client: Any) -> list[tuple[int, dict[str, str], str]]:
    item = client.post("/v1/items", json=CHAIR).json()["id"]
    category = client.post("/v1/categories", json={"name": "Seating"}).json()["id"]
    answers = []
    for method, path, headers, body in REQUESTS:
        path = path.replace(ITEM, item).replace(CATEGORY, category)
        response = client.request(method, path, headers=headers, content=body)
        compared = {name: response.headers[name] for name in HEADERS_COMPARED if name in response.headers}
        answers.append((response.status_code, compared, VOLATILE.sub("<volatile>", response.text)))
    return answers


def test_every_request_is_answered_as_by_connexions_own_stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with _client_of(tmp_path, "prebuilt", composition.create_app) as prebuilt:
        ours = _answers(prebuilt)
    monkeypatch.setattr(composition, "with_prebuilt_validation", connexion_own_validation)
    monkeypatch.setattr(composition, "prebuild_operations", lambda _app: None)
    with _client_of(tmp_path, "connexion", composition.create_app) as connexions:
        reference = _answers(connexions)

    assert {status for status, _, _ in reference} >= {200, 201, 204, 400, 404, 409, 412, 415}
    for request, mine, theirs in zip(REQUESTS, ours, reference, strict=True):
        assert mine == theirs, f"{request[0]} {request[1]} {request[2]}"


def test_an_operation_builds_its_body_validator_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[str] = []
    new_body_check = PrebuiltRequestValidationOperation._new_body_check

    def counted(operation: PrebuiltRequestValidationOperation, mime_type: str, encoding: str) -> object:
        built.append(mime_type)
        return new_body_check(operation, mime_type, encoding)

    monkeypatch.setattr(PrebuiltRequestValidationOperation, "_new_body_check", counted)
    with _client_of(tmp_path, "counted", composition.create_app) as client:
        for number in range(3):
            response = client.post("/v1/items", json={**CHAIR, "sku": f"ONCE-{number}"})
            assert response.status_code == 201, response.text
        assert client.post("/v1/items", json={**CHAIR, "name": 1}).status_code == 400

    assert built == ["application/json"]
