"""POST /dev/token: OAuth 2 client credentials for local use, as Swagger UI's Authorize sends them."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from connexion import FlaskApp

from adapters.dev_signing_key import load_or_create_dev_secret
from api.dev_token_endpoint import DEV_TOKEN_PATH, dev_client_secret
from app import create_app
from settings import Settings
from tests.api.test_items_api import CHAIR, assert_problem

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
def anonymous(app: FlaskApp) -> Any:
    """A test client that sends no token."""
    with app.test_client() as test_client:
        yield test_client


@pytest.fixture
def client_secret(app: FlaskApp, settings: Settings) -> str:
    """What `make token TOKEN_ARGS=--client-secret` prints for this app."""
    return dev_client_secret(load_or_create_dev_secret(settings.auth_dev_secret_file))


def basic(client_id: str, secret: str) -> dict[str, str]:
    """HTTP Basic client authentication, as Swagger UI sends it."""
    return {**FORM, "Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def token_request(anonymous: Any, headers: dict[str, str], **form: str) -> Any:
    return anonymous.post(DEV_TOKEN_PATH, data={"grant_type": "client_credentials", **form}, headers=headers)


def oauth_error(response: Any, status: int, error: str) -> None:
    body = assert_problem(response, status)
    assert body["error"] == error and body["error_description"]


def test_a_token_with_the_requested_scope_works_and_only_for_it(anonymous: Any, client_secret: str) -> None:
    response = token_request(anonymous, basic("swagger-ui", client_secret), scope="items:read")
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    issued = response.json()
    assert issued["token_type"] == "Bearer" and issued["scope"] == "items:read" and issued["expires_in"] > 0
    bearer = {"Authorization": f"Bearer {issued['access_token']}"}
    assert anonymous.get("/v1/items", headers=bearer).status_code == 200
    assert_problem(anonymous.post("/v1/items", json=CHAIR, headers=bearer), 403)


def test_credentials_in_the_form_and_no_scope_get_every_declared_scope(anonymous: Any, client_secret: str) -> None:
    response = token_request(anonymous, FORM, client_id="curl", client_secret=client_secret)
    assert response.status_code == 200, response.text
    assert response.json()["scope"] == "items:read items:write categories:read categories:write"
    bearer = {"Authorization": f"Bearer {response.json()['access_token']}"}
    assert anonymous.post("/v1/items", json=CHAIR, headers=bearer).status_code == 201


@pytest.mark.parametrize("wrong", ["", "not-the-secret"])
def test_a_wrong_client_secret_is_a_401(anonymous: Any, wrong: str) -> None:
    response = token_request(anonymous, basic("swagger-ui", wrong))
    oauth_error(response, 401, "invalid_client")
    assert response.headers["www-authenticate"].startswith("Basic")


def test_the_signing_secret_itself_is_not_the_client_secret(anonymous: Any, settings: Settings) -> None:
    signing_secret = load_or_create_dev_secret(settings.auth_dev_secret_file)
    oauth_error(token_request(anonymous, basic("swagger-ui", signing_secret)), 401, "invalid_client")


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"grant_type": "password"}, "unsupported_grant_type"),
        ({"scope": "items:read admin"}, "invalid_scope"),
        ({"client_id": ""}, "invalid_request"),
    ],
)
def test_bad_requests_are_400s(anonymous: Any, client_secret: str, form: dict[str, str], error: str) -> None:
    fields = {"client_id": "dev", "client_secret": client_secret, **form}
    oauth_error(token_request(anonymous, FORM, **fields), 400, error)


def test_a_json_body_is_a_400(anonymous: Any, client_secret: str) -> None:
    body = {"grant_type": "client_credentials", "client_id": "dev", "client_secret": client_secret}
    oauth_error(anonymous.post(DEV_TOKEN_PATH, json=body), 400, "invalid_request")


@pytest.mark.parametrize(
    "overrides",
    [
        {"auth_jwks_url": "https://idp.example.com/.well-known/jwks.json"},
        {"auth_public_key": "-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----"},
        {"auth_enabled": False},
    ],
)
def test_there_is_no_endpoint_unless_the_service_signs_its_own_tokens(
    sqlite_url: str, tmp_path: Path, overrides: dict[str, Any]
) -> None:
    settings = Settings(database_url=sqlite_url, auth_dev_secret_file=tmp_path / "jwt-secret", **overrides)
    with create_app(settings).test_client() as anonymous:
        assert_problem(token_request(anonymous, basic("dev", "anything")), 404)
    assert not settings.auth_dev_secret_file.exists()
