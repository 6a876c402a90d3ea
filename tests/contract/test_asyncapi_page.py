"""GET /asyncapi renders the document in a real browser, from bundled assets only."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from connexion import FlaskApp

from tests.contract.external_tools import chromium
from tests.contract.threaded_server import serving
from tests.events import catalog

RENDER_ERROR = "There are errors in your document"


def test_the_page_and_its_assets_are_served(client: Any) -> None:
    page = client.get("/asyncapi")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "'unsafe-eval'" in page.headers["content-security-policy"]
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text):
        assert client.get(asset).status_code == 200, asset


@pytest.mark.slow
def test_chromium_renders_every_operation_and_message(sqlite_app: FlaskApp, tmp_path: Path) -> None:
    with serving(sqlite_app) as base_url:
        result = chromium(tmp_path / "profile", f"{base_url}/asyncapi", "--dump-dom")
    dom = result.stdout
    assert result.returncode == 0, result.stderr[-2000:]
    assert RENDER_ERROR not in dom
    text = re.sub(r"<[^>]+>", " ", dom)
    assert "Items service events" in text
    for event in catalog():
        assert f"publish{event.name}" in text, f"operation of {event.name} not rendered"
        assert event.routing_key in text, f"channel {event.routing_key} not rendered"
    assert "ce-dataschema" in text  # the generated header example of a message
