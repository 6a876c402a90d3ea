"""A stranger's consumer, written with plain pika from docs/events.md alone, gets every event.

It declares the `items` exchange the way anyone would (durable, topic, no arguments) before the
relay does, binds a queue of its own, and receives what the API wrote, on a vhost of its own.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pika
import pytest
from pika.adapters.blocking_connection import BlockingChannel

from items_events import reconnect_policy
from settings import Settings
from tests.integration.relay_runner import relay_thread
from tests.waiting import wait_until

pytestmark = pytest.mark.rabbitmq

EXCHANGE = "items"
MERGE_PATCH = {"Content-Type": "application/merge-patch+json"}


@pytest.fixture
def settings(settings: Settings, vhost_url: str) -> Settings:
    """The service publishing to the default `items` exchange on the test's vhost."""
    return settings.with_changes({"amqp_url": vhost_url, "events_exchange": EXCHANGE})


@pytest.fixture
def stranger(vhost_url: str) -> Iterator[tuple[BlockingChannel, str]]:
    """A channel and a queue declared and bound as a consumer in any language would, before any relay ran."""
    connection = pika.BlockingConnection(pika.URLParameters(vhost_url))
    channel = connection.channel()
    channel.exchange_declare(exchange=EXCHANGE, exchange_type="topic", durable=True)
    queue = str(channel.queue_declare("", exclusive=True).method.queue)
    for pattern in ("item.*", "category.*"):
        channel.queue_bind(queue, EXCHANGE, routing_key=pattern)
    try:
        yield channel, queue
    finally:
        connection.close()


def write_both_resources(client: Any) -> dict[str, str]:
    """Create, update and delete a category and an item in it; returns resource name -> id."""
    category = client.post("/v1/categories", json={"name": "Seating"})
    assert category.status_code == 201, category.text
    category_id = category.json()["id"]
    body = {"sku": "STOOL-1", "name": "Stool", "price": {"amount_minor": 900, "currency": "EUR"}}
    item = client.post("/v1/items", json={**body, "category_id": category_id})
    assert item.status_code == 201, item.text
    item_id = item.json()["id"]
    assert client.patch(f"/v1/items/{item_id}", json={"quantity": 3}, headers=MERGE_PATCH).status_code == 200
    assert client.delete(f"/v1/items/{item_id}").status_code == 204
    assert client.patch(f"/v1/categories/{category_id}", json={"name": "Seats"}, headers=MERGE_PATCH).status_code == 200
    assert client.delete(f"/v1/categories/{category_id}").status_code == 204
    return {"category": category_id, "item": item_id}


def test_a_plainly_declared_consumer_receives_every_write_and_the_relay_declares_after_it(
    client: Any, settings: Settings, stranger: tuple[BlockingChannel, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    channel, queue = stranger
    ids = write_both_resources(client)
    received: list[tuple[str, dict[str, Any]]] = []

    def refusals() -> list[str]:
        """What the relay's reconnect policy said: a refusal or a lost connection."""
        return [record.getMessage() for record in caplog.records if record.name == reconnect_policy.__name__]

    def take() -> bool:
        # Had the relay asked for another exchange than the stranger's, the broker would have closed
        # its channel (406 PRECONDITION_FAILED) and it would be reconnecting, publishing nothing.
        assert refusals() == [], "the broker refused the relay"
        method, properties, _body = channel.basic_get(queue, auto_ack=True)
        if method is not None:
            received.append((str(method.routing_key), dict(properties.headers or {})))
        return len(received) == 6

    with relay_thread(settings) as service:
        wait_until(take, "all six events in the stranger's queue", timeout_s=30, interval_s=0.01)
        assert service.relay.leading

    expected = [
        ("category.created", "categories.v1.CategoryCreated", ids["category"]),
        ("item.created", "items.v1.ItemCreated", ids["item"]),
        ("item.updated", "items.v1.ItemUpdated", ids["item"]),
        ("item.deleted", "items.v1.ItemDeleted", ids["item"]),
        ("category.updated", "categories.v1.CategoryUpdated", ids["category"]),
        ("category.deleted", "categories.v1.CategoryDeleted", ids["category"]),
    ]
    assert [(key, headers["ce-type"], headers["ce-subject"]) for key, headers in received] == expected
    assert refusals() == []
