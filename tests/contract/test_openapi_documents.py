"""/openapi.json and /openapi.yaml serve the spec as written, pointing at this deployment; Swagger UI shows it."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from app import create_app, load_spec
from settings import Settings
from tests.contract.external_tools import chromium
from tests.contract.threaded_server import serving
from tests.e2e.live_server import free_port
from wiring.contract import ContractModule

PUBLIC = "https://items.example.com"
IDP_TOKEN_URL = "https://idp.example.com/oauth2/token"


def deployed(sqlite_url: str, tmp_path: Path, **settings: Any) -> Any:
    """A test client of the app with these settings."""
    app = create_app(
        Settings(database_url=sqlite_url, auth_dev_secret_file=tmp_path / "jwt-secret", **settings),
        overrides=[ContractModule()],
    )
    return app.test_client()


def token_urls(spec: dict[str, Any]) -> list[str]:
    schemes = spec["components"]["securitySchemes"].values()
    return [flow["tokenUrl"] for scheme in schemes for flow in scheme.get("flows", {}).values()]


def test_the_json_is_the_file_with_the_public_base_url_as_its_server(sqlite_url: str, tmp_path: Path) -> None:
    with deployed(sqlite_url, tmp_path, public_base_url=PUBLIC + "/") as client:
        response = client.get("/openapi.json")
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    assert response.json() == {**load_spec(), "servers": [{"url": PUBLIC}]}


def test_refs_and_components_are_kept(sqlite_client: Any) -> None:
    spec = sqlite_client.get("/openapi.json").json()
    body = spec["paths"]["/v1/items"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/ItemInput"}
    assert {"Item", "ItemInput", "ItemPatch", "Money", "Problem"} <= set(spec["components"]["schemas"])


def test_the_yaml_is_the_same_document(sqlite_client: Any) -> None:
    response = sqlite_client.get("/openapi.yaml")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/yaml")
    assert yaml.safe_load(response.text) == sqlite_client.get("/openapi.json").json()


def test_the_token_url_is_the_identity_providers_when_configured(sqlite_url: str, tmp_path: Path) -> None:
    with deployed(sqlite_url, tmp_path, auth_token_url=IDP_TOKEN_URL) as client:
        assert token_urls(client.get("/openapi.json").json()) == [IDP_TOKEN_URL]


def test_without_one_the_token_url_is_the_development_endpoint(sqlite_client: Any) -> None:
    assert token_urls(sqlite_client.get("/openapi.json").json()) == token_urls(load_spec()) == ["/dev/token"]


def test_swagger_ui_loads_the_served_document(sqlite_client: Any) -> None:
    page = sqlite_client.get("/ui/")
    assert page.status_code == 200 and 'url: "/openapi.json"' in page.text


@pytest.mark.slow
def test_chromium_shows_swagger_ui_with_the_public_server(sqlite_url: str, tmp_path: Path) -> None:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    settings = Settings(database_url=sqlite_url, auth_dev_secret_file=tmp_path / "jwt-secret", public_base_url=base_url)
    with serving(create_app(settings, overrides=[ContractModule()]), port=port):
        result = chromium(tmp_path / "profile", f"{base_url}/ui/", "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    assert re.search(rf'<option value="{re.escape(base_url)}"', dom), "the Servers box does not offer the base URL"
    text = html.unescape(re.sub(r"<[^>]+>", " ", dom))
    assert "Failed to load API definition" not in text and "Resolver error" not in text
    assert "Authorize" in text
    squeezed = re.sub(r"\s+", "", text)  # Swagger UI breaks paths at each slash
    for path in load_spec()["paths"]:
        assert path in squeezed, f"{path} not rendered"
    assert re.search(r"Schemas.*\bItemInput\b.*\bProblem\b", text, re.DOTALL), "the component schemas are not listed"
