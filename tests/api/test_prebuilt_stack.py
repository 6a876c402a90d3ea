"""The prebuilt request validation and operations answer every request as Connexion's own stack does.

Two apps from the one factory, each on its own SQLite file: the service as shipped, and the same
service with Connexion's RequestValidationMiddleware and FlaskOperation views put back, and its
content negotiation added at MiddlewarePosition.BEFORE_VALIDATION as it used to be. The same
requests, valid and hostile, get the same status, headers that matter and body from both.
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import pytest
from connexion import FlaskApp
from connexion.middleware import MiddlewarePosition

import app as composition
from api.content_negotiation import ContentNegotiationMiddleware
from api.prebuilt_validation import PrebuiltRequestValidationOperation
from settings import Settings
from tests.api.test_items_api import CHAIR
from tests.conftest import migrate
from tests.tokens import bearer

ITEM = "{item}"
CATEGORY = "{category}"
NO_TOKEN = "{no token}"
READ_TOKEN = "{read token}"
JSON = {"Content-Type": "application/json"}
MERGE_PATCH = {"Content-Type": "application/merge-patch+json"}
UUID = r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"
VOLATILE = re.compile(rf'"(created_at|updated_at|id|next_cursor)":"[^"]*"|{UUID}')


def _chair(sku: str) -> bytes:
    return json.dumps({**CHAIR, "sku": sku}).encode()


# (method, path, headers, body): ITEM and CATEGORY stand for the ids of rows each app made first,
# NO_TOKEN and READ_TOKEN for an empty Authorization and a token with only `items:read`.
REQUESTS: list[tuple[str, str, dict[str, str], bytes | None]] = [
    ("POST", "/v1/items", JSON, _chair("NEW-1")),
    ("POST", "/v1/items", {"Content-Type": "application/json; charset=utf-8"}, _chair("NEW-2")),
    ("POST", "/v1/items", {"Content-Type": "APPLICATION/JSON"}, _chair("NEW-3")),
    ("POST", "/v1/items", JSON, _chair("NEW-1")),  # taken sku
    ("POST", "/v1/items", JSON, json.dumps({"sku": "NO-NAME", "price": CHAIR["price"]}).encode()),
    ("POST", "/v1/items", JSON, _chair("BAD\n")),
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
    ("POST", "/v1/items", {**JSON, "Idempotency-Key": "key-1"}, _chair("KEYED")),
    ("POST", "/v1/items", {**JSON, "Idempotency-Key": "key-1"}, _chair("KEYED")),  # replayed
    ("POST", "/v1/items", {**JSON, "Idempotency-Key": "key-1"}, _chair("OTHER")),  # reused
    ("POST", "/v1/items", {**JSON, "Idempotency-Key": "k" * 300}, _chair("LONG-KEY")),
    ("POST", "/v1/items", {**JSON, "Authorization": NO_TOKEN}, b'{"sku": 1}'),
    ("POST", "/v1/items", {**JSON, "Authorization": READ_TOKEN}, _chair("READ-ONLY")),
    ("POST", "/v1/items", {"Content-Type": "text/plain", "Authorization": READ_TOKEN}, b"chair"),
    *[("POST", "/v1/items", {"Content-Type": f"application/x-t{number}"}, b"{}") for number in range(20)],
    ("POST", "/v1/items", JSON, _chair("AFTER-MANY-TYPES")),
    ("POST", "/v1/items", JSON, b'{"sku": 1}'),
    ("GET", "/v1/items", {}, None),
    ("GET", "/v1/items", {"Authorization": NO_TOKEN}, None),
    ("GET", "/v1/items?limit=2", {}, None),
    ("GET", "/v1/items?limit=0", {}, None),
    ("GET", "/v1/items?limit=abc", {}, None),
    ("GET", "/v1/items?limit=1&limit=abc", {}, None),
    ("GET", "/v1/items?limit=", {}, None),
    ("GET", "/v1/items?limit=1000000", {}, None),
    ("GET", "/v1/items?cursor=%00", {}, None),
    ("GET", "/v1/items?unknown=1", {}, None),
    ("GET", f"/v1/items/{ITEM}", {}, None),
    ("GET", f"/v1/items/{ITEM}", {"Content-Type": "application/x-www-form-urlencoded"}, b"a=b"),
    ("GET", f"/v1/items/{ITEM}", JSON, b"\xff"),
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
    ("DELETE", f"/v1/items/{ITEM}", {"If-Match": "not-an-etag"}, None),
    ("DELETE", f"/v1/items/{ITEM}", JSON, b"\xff"),
    ("DELETE", f"/v1/items/{ITEM}", {}, None),
    ("GET", f"/v1/items/{ITEM}", {}, None),
]
HEADERS_COMPARED = ("content-type", "etag", "allow", "idempotent-replayed", "retry-after", "www-authenticate")


def connexions_own_stack(settings: Settings) -> FlaskApp:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(composition, "with_prebuilt_validation", lambda middlewares, before=(): list(middlewares))
        patch.setattr(composition, "prebuild_operations", lambda _app: None)
        app = composition.create_app(settings)
    app.add_middleware(ContentNegotiationMiddleware, position=MiddlewarePosition.BEFORE_VALIDATION)
    return app


def _settings(tmp_path: Path, name: str) -> Settings:
    url = f"sqlite:///{tmp_path / (name + '.db')}"
    migrate(url)
    return Settings(database_url=url, validate_responses=True, auth_dev_secret_file=tmp_path / "jwt-secret")


def _answers(client: Any, settings: Settings) -> list[tuple[int, dict[str, str], str]]:
    item = client.post("/v1/items", json=CHAIR).json()["id"]
    category = client.post("/v1/categories", json={"name": "Seating"}).json()["id"]
    tokens = {NO_TOKEN: "", READ_TOKEN: bearer(settings, scopes="items:read")["Authorization"]}
    answers = []
    for method, path, headers, body in REQUESTS:
        path = path.replace(ITEM, item).replace(CATEGORY, category)
        headers = {name: tokens.get(value, value) for name, value in headers.items()}
        response = client.request(method, path, headers=headers, content=body)
        compared = {name: response.headers[name] for name in HEADERS_COMPARED if name in response.headers}
        answers.append((response.status_code, compared, VOLATILE.sub("<volatile>", response.text)))
    return answers


def test_every_request_is_answered_as_by_connexions_own_stack(tmp_path: Path) -> None:
    answers = {}
    for name, build in (("prebuilt", composition.create_app), ("connexion", connexions_own_stack)):
        settings = _settings(tmp_path, name)
        with build(settings).test_client(headers=bearer(settings)) as client:
            answers[name] = _answers(client, settings)
    ours, reference = answers["prebuilt"], answers["connexion"]

    assert {status for status, _, _ in reference} >= {200, 201, 204, 400, 401, 403, 404, 409, 412, 415, 422}
    for request, mine, theirs in zip(REQUESTS, ours, reference, strict=True):
        assert mine == theirs, f"{request[0]} {request[1]} {request[2]}"


def test_an_operation_builds_its_body_validator_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[str] = []
    new_body_check = PrebuiltRequestValidationOperation._new_body_check

    def counted(operation: PrebuiltRequestValidationOperation, mime_type: str, encoding: str) -> object:
        built.append(mime_type)
        return new_body_check(operation, mime_type, encoding)

    monkeypatch.setattr(PrebuiltRequestValidationOperation, "_new_body_check", counted)
    settings = _settings(tmp_path, "counted")
    with composition.create_app(settings).test_client(headers=bearer(settings)) as client:
        for number in range(3):
            response = client.post("/v1/items", json={**CHAIR, "sku": f"ONCE-{number}"})
            assert response.status_code == 201, response.text
        assert client.post("/v1/items", json={**CHAIR, "name": 1}).status_code == 400

    assert built == ["application/json"]


def test_concurrent_requests_on_one_loop_each_get_their_own_answer(tmp_path: Path) -> None:
    # One validator per operation serves every request: bodies that arrive in chunks, interleaved
    # on one event loop, must still be read, checked and answered each on its own.
    settings = _settings(tmp_path, "concurrent")
    app = composition.create_app(settings)
    token = bearer(settings)["Authorization"].encode()
    bodies = [
        (_chair(f"CONCURRENT-{number}"), 201)
        if number % 3 == 0
        else (json.dumps({**CHAIR, "sku": f"BAD-{number}", "quantity": "many"}).encode(), 400)
        if number % 3 == 1
        else (b'{"sku": "CUT', 400)
        for number in range(30)
    ]

    async def post(body: bytes) -> int:
        chunks = [body[start : start + 7] for start in range(0, len(body), 7)]
        headers = [(b"content-type", b"application/json"), (b"authorization", token)]
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": "/v1/items",
            "raw_path": b"/v1/items",
            "query_string": b"",
            "root_path": "",
            "headers": [*headers, (b"transfer-encoding", b"chunked")],
            "client": ("127.0.0.1", 1),
            "server": ("127.0.0.1", 80),
        }
        statuses: list[int] = []

        async def receive() -> dict[str, Any]:
            await asyncio.sleep(0)  # let the other requests run between chunks
            if chunks:
                return {"type": "http.request", "body": chunks.pop(0), "more_body": bool(chunks)}
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                statuses.append(message["status"])

        await app(scope, receive, send)
        return statuses[0]

    async def all_at_once() -> list[int]:
        return list(await asyncio.gather(*(post(body) for body, _ in bodies)))

    assert asyncio.run(all_at_once()) == [status for _, status in bodies]
