"""Without its database the API answers 503 with Retry-After, and logs the outage, not each request."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from app import create_app
from settings import Settings
from tests.api.test_items_api import CHAIR, assert_problem
from tests.e2e.live_server import free_port
from tests.tokens import bearer


@pytest.fixture
def unreachable_client(tmp_path: Path) -> Any:
    """The app on a PostgreSQL URL where nothing listens."""
    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/items"
    settings = Settings(database_url=url, auth_dev_secret_file=tmp_path / "jwt-secret", validate_responses=True)
    with create_app(settings).test_client(headers=bearer(settings)) as client:
        yield client


def test_every_operation_is_a_503_with_retry_after(unreachable_client: Any) -> None:
    item = "/v1/items/0190b5a8-0000-7000-8000-000000000000"
    for response in (
        unreachable_client.post("/v1/items", json=CHAIR),
        unreachable_client.get("/v1/items"),
        unreachable_client.get(item),
        unreachable_client.patch(item, json={"name": "x"}, headers={"Content-Type": "application/merge-patch+json"}),
        unreachable_client.delete(item),
    ):
        body = assert_problem(response, 503)
        assert body["type"].endswith("/database-unavailable")
        assert int(response.headers["retry-after"]) > 0


def test_readiness_is_503_and_liveness_200(unreachable_client: Any) -> None:
    ready = unreachable_client.get("/health/ready")
    assert ready.status_code == 503 and ready.json()["checks"]["database"]["ok"] is False
    assert unreachable_client.get("/health/live").status_code == 200


def test_an_outage_is_one_log_line_without_a_traceback(unreachable_client: Any, caplog: Any) -> None:
    with caplog.at_level(logging.INFO):
        for _ in range(20):
            assert unreachable_client.get("/v1/items").status_code == 503
    outage_lines = [record for record in caplog.records if "database unavailable" in record.getMessage()]
    assert len(outage_lines) == 1
    assert not [record for record in caplog.records if record.exc_info or record.levelno >= logging.ERROR]
