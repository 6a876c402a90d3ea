"""One write is one trace: a POST through `make run`'s processes, exported over OTLP to a receiver of the test's own.

The API (under gunicorn), the relay and the example consumer are configured only by the
standard variables (`OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_BSP_SCHEDULE_DELAY`); each names
itself. The trace must hold the HTTP server span, its database statements with the outbox
insert, the relay's publish (a child of the request's span, through the `traceparent` stored
in the outbox row) and the consumer's processing (a child of the publish).
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from settings import Settings
from tests.conftest import migrate
from tests.e2e.local_stack import local_stack
from tests.e2e.otlp_receiver import OtlpReceiver, ReceivedSpan, otlp_receiver
from tests.servers import scratch_vhost
from tests.tokens import bearer
from tests.waiting import wait_until

CHAIR = {"sku": "TRACE-1", "name": "Traced chair", "price": {"amount_minor": 100, "currency": "EUR"}, "tags": ["t"]}


def _write_trace(receiver: OtlpReceiver) -> list[ReceivedSpan] | None:
    """Every span of the POST's trace, once the relay's and the consumer's spans have arrived.

    Each process exports on its own schedule, so the consumer's span can arrive before the
    relay's publish that caused it.
    """
    spans = receiver.spans()
    posts = [span for span in spans if span.kind == "server" and span.name == "POST /v1/items"]
    if not posts:
        return None
    trace = [span for span in spans if span.trace_id == posts[0].trace_id]
    kinds = {span.kind for span in trace}
    return trace if {"producer", "consumer"} <= kinds else None


def _one(spans: list[ReceivedSpan], kind: str) -> ReceivedSpan:
    matching = [span for span in spans if span.kind == kind]
    assert len(matching) == 1, f"expected one {kind} span, got {matching}"
    return matching[0]


@pytest.mark.slow
@pytest.mark.rabbitmq
def test_a_post_is_one_trace_across_api_relay_and_consumer(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'items.db'}"
    migrate(database_url)
    with scratch_vhost() as amqp_url, otlp_receiver() as receiver:
        tracing = {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint, "OTEL_BSP_SCHEDULE_DELAY": "200"}
        with local_stack(database_url, amqp_url, tmp_path, {**tracing, "ACCESS_LOG": "true"}) as stack:
            token = bearer(Settings(auth_dev_secret_file=tmp_path / "jwt-secret"))
            created = httpx.post(f"{stack.base_url}/v1/items", json=CHAIR, headers=token)
            assert created.status_code == 201, created.text
            spans = wait_until(lambda: _write_trace(receiver), "the consumer's span of the POST's trace", 90, 0.2)
            exchange = stack.env["EVENTS_EXCHANGE"]
        untraced = [span for span in receiver.spans() if span.name.startswith("GET /health")]

    assert {span.service for span in spans} == {"items-api", "items-relay", "catalog-projection"}
    server = _one(spans, "server")
    assert server.service == "items-api" and server.parent_span_id == ""
    assert server.attributes["http.request.method"] == "POST"
    assert server.attributes["http.route"] == "/v1/items"
    assert server.attributes["http.response.status_code"] == 201

    statements = [span for span in spans if span.kind == "client"]
    assert statements and all(span.parent_span_id == server.span_id for span in statements)
    assert all(span.attributes["db.system.name"] == "sqlite" for span in statements)
    inserts = [span.attributes.get("db.query.text", "") for span in statements]
    assert any(text.startswith("INSERT INTO outbox") for text in inserts), inserts
    assert any(text.startswith("INSERT INTO items") for text in inserts), inserts

    publish = _one(spans, "producer")
    assert publish.service == "items-relay"
    assert publish.parent_span_id == server.span_id  # through the traceparent stored in the outbox row
    assert publish.name == f"send {exchange}"
    event_id = publish.attributes["messaging.message.id"]
    assert publish.attributes["messaging.system"] == "rabbitmq"
    assert publish.attributes["messaging.destination.name"] == exchange
    assert publish.attributes["messaging.rabbitmq.destination.routing_key"] == "item.created"
    assert publish.attributes["messaging.operation.type"] == "send"
    assert publish.attributes["cloudevents.event_subject"] == created.json()["id"]

    process = _one(spans, "consumer")
    assert process.service == "catalog-projection"
    assert process.parent_span_id == publish.span_id
    assert process.name == f"process {exchange}"
    assert process.attributes["messaging.message.id"] == event_id
    assert process.attributes["messaging.operation.type"] == "process"
    assert process.attributes["cloudevents.event_type"] == "items.v1.ItemCreated"
    assert untraced == []  # probes and scrapes make no traces

    access = [line for line in _json_lines(stack.log_path) if line.get("logger") == "items.access"]
    post_line = next(line for line in access if line["message"] == "POST /v1/items 201")
    assert (post_line["trace_id"], post_line["span_id"]) == (server.trace_id, server.span_id)


def _json_lines(path: Path) -> list[dict[str, object]]:
    lines = []
    for text in path.read_text(errors="replace").splitlines():
        if text.startswith("{"):
            lines.append(json.loads(text))
    return lines
