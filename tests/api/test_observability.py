"""Request ids, trace context into events, security headers, CORS and metrics."""

from __future__ import annotations

import io
import json
import logging
from typing import Any

from connexion import FlaskApp
from sqlalchemy import Engine, select

from adapters.tables import outbox
from app import create_app
from observability.json_logs import configure_logging
from observability.request_context import request_id
from settings import Settings
from tests.api.test_items_api import CHAIR
from tests.tokens import bearer

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"


def test_request_id_is_echoed_or_generated(client: Any) -> None:
    assert client.get("/health/live", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"] == "abc-123"
    generated = client.get("/health/live").headers["x-request-id"]
    assert len(generated) == 32
    assert client.get("/health/live", headers={"X-Request-ID": "bad id\n"}).headers["x-request-id"] != "bad id\n"


def test_security_headers_are_on_every_response(client: Any) -> None:
    for response in (client.get("/health/live"), client.get("/nowhere")):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_traceparent_is_carried_into_the_event_headers(client: Any, engine: Engine) -> None:
    traceparent = f"00-{TRACE_ID}-00f067aa0ba902b7-01"
    assert client.post("/v1/items", json=CHAIR, headers={"traceparent": traceparent}).status_code == 201
    with engine.connect() as connection:
        headers = connection.execute(select(outbox.c.headers)).scalar_one()
    assert headers["traceparent"].startswith(f"00-{TRACE_ID}-")
    assert headers["traceparent"] != traceparent  # a child span of the caller's


def test_metrics_count_requests_by_operation_and_status(client: Any) -> None:
    client.post("/v1/items", json=CHAIR)
    client.post("/v1/items", json=CHAIR)
    text = client.get("/metrics").text
    assert 'http_requests_total{method="POST",operation="api.items.create",status="201"}' in text
    assert 'http_requests_total{method="POST",operation="api.items.create",status="409"}' in text
    assert "http_request_duration_seconds_bucket" in text


def test_cors_is_off_by_default_and_configurable(app: FlaskApp, settings: Settings) -> None:
    preflight = {"Origin": "https://shop.example", "Access-Control-Request-Method": "POST"}
    with app.test_client() as plain:
        assert "access-control-allow-origin" not in plain.options("/v1/items", headers=preflight).headers
    cors_app = create_app(settings.with_changes({"cors_allow_origins": ["https://shop.example"]}))
    with cors_app.test_client(headers=bearer(settings)) as client:
        answer = client.options("/v1/items", headers=preflight)
        assert answer.headers["access-control-allow-origin"] == "https://shop.example"


def test_log_lines_are_json_with_level_time_message_and_request_id() -> None:
    configure_logging("test")
    stream = io.StringIO()
    handler = logging.getLogger().handlers[0]
    handler.setStream(stream)  # type: ignore[attr-defined]
    token = request_id.set("req-9")
    try:
        logging.getLogger("items.test").warning("stock low for %s", "CHAIR-1")
    finally:
        request_id.reset(token)
        logging.getLogger().handlers.clear()
    line = json.loads(stream.getvalue().splitlines()[-1])
    assert line["message"] == "stock low for CHAIR-1" and line["level"] == "WARNING"
    assert line["request_id"] == "req-9" and line["timestamp"].endswith("+00:00")
