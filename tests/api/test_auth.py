"""Bearer JWTs with the OAuth 2 scopes of the spec: 401 without a valid token, 403 without the scope."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from connexion import FlaskApp

from adapters.dev_signing_key import load_or_create_dev_secret
from app import create_app
from settings import Settings
from tests.api.test_items_api import CHAIR, assert_problem
from tests.tokens import bearer


@pytest.fixture
def anonymous(app: FlaskApp) -> Any:
    """A test client that sends no token."""
    with app.test_client() as test_client:
        yield test_client


def test_missing_token_is_a_401_problem_with_a_challenge(anonymous: Any) -> None:
    response = anonymous.get("/v1/items")
    assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "overrides",
    [{"secret": "not-the-key-not-the-key-not-the-key"}, {"audience": "other"}, {"issuer": "x"}, {"ttl": -120}],
)
def test_invalid_tokens_are_401_problems(anonymous: Any, settings: Settings, overrides: dict[str, Any]) -> None:
    assert_problem(anonymous.get("/v1/items", headers=bearer(settings, **overrides)), 401)


def test_garbage_token_is_a_401_problem(anonymous: Any) -> None:
    assert_problem(anonymous.get("/v1/items", headers={"Authorization": "Bearer x.y.z"}), 401)


def test_read_scope_cannot_write(anonymous: Any, settings: Settings) -> None:
    reader = bearer(settings, scopes="items:read")
    assert anonymous.get("/v1/items", headers=reader).status_code == 200
    assert_problem(anonymous.post("/v1/items", json=CHAIR, headers=reader), 403)


def test_write_scope_cannot_read(anonymous: Any, settings: Settings) -> None:
    writer = bearer(settings, scopes="items:write")
    assert anonymous.post("/v1/items", json=CHAIR, headers=writer).status_code == 201
    assert_problem(anonymous.get("/v1/items", headers=writer), 403)


@pytest.mark.parametrize("path", ["/health/live", "/health/ready", "/ui/", "/openapi.json", "/openapi.yaml"])
def test_public_endpoints_need_no_token(anonymous: Any, path: str) -> None:
    assert anonymous.get(path).status_code == 200


def test_a_basic_authorization_is_a_401(anonymous: Any) -> None:
    assert_problem(anonymous.get("/v1/items", headers={"Authorization": "Basic ZGV2OmRldg=="}), 401)


def test_with_auth_disabled_every_operation_is_open(sqlite_url: str, tmp_path: Path) -> None:
    settings = Settings(database_url=sqlite_url, auth_dev_secret_file=tmp_path / "jwt-secret", auth_enabled=False)
    with create_app(settings).test_client() as anonymous:
        assert anonymous.post("/v1/items", json=CHAIR).status_code == 201
        assert anonymous.get("/v1/items").status_code == 200


@pytest.mark.parametrize("claim", ["exp", "iat", "nbf"])
def test_a_date_claim_that_is_a_string_is_a_401(anonymous: Any, settings: Settings, claim: str) -> None:
    now = int(time.time())
    claims = {"iss": settings.auth_issuer, "aud": settings.auth_audience, "sub": "s", "scope": "items:read"}
    claims |= {"iat": now, "exp": now + 600, claim: str(now + 600 if claim == "exp" else now)}
    token = jwt.encode(claims, load_or_create_dev_secret(settings.auth_dev_secret_file), algorithm="HS256")
    assert_problem(anonymous.get("/v1/items", headers={"Authorization": f"Bearer {token}"}), 401)
