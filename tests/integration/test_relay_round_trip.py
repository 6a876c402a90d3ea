"""Every committed write through the API becomes exactly one event, in order, with the committed state."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, select

from adapters.tables import outbox
from eventing.item_events import CONTENT_TYPE
from providers.item_representation import rfc3339
from relay.topology import Topology
from settings import Settings
from tests.integration.event_queue import EventQueue, ReceivedEvent
from tests.integration.relay_runner import relay_thread

pytestmark = [pytest.mark.rabbitmq]

CHAIR: dict[str, Any] = {
    "sku": "CHAIR-1",
    "name": "Oak chair",
    "price": {"amount_minor": 12900, "currency": "EUR"},
    "tags": ["wood", "seating"],
}


def as_representation(event: ReceivedEvent) -> dict[str, Any]:
    """The event's item in the API's JSON shape, to compare with a GET."""
    item = dict(event.decoded().record["item"])
    body = {
        **item,
        "id": str(item["id"]),
        "created_at": rfc3339(item["created_at"]),
        "updated_at": rfc3339(item["updated_at"]),
    }
    if body["description"] is None:
        del body["description"]
    return body


def test_each_write_publishes_one_event_with_the_committed_state(
    client: Any, relay_settings: Settings, events: EventQueue, engine: Engine
) -> None:
    created = client.post("/v1/items", json=CHAIR)
    assert created.status_code == 201
    item_id = created.json()["id"]
    after_create = client.get(f"/v1/items/{item_id}").json()
    assert client.post("/v1/items", json={**CHAIR, "name": "dup"}).status_code == 409
    stale = client.patch(
        f"/v1/items/{item_id}",
        json={"quantity": 1},
        headers={"Content-Type": "application/merge-patch+json", "If-Match": '"7"'},
    )
    assert stale.status_code == 412
    patched = client.patch(
        f"/v1/items/{item_id}", json={"quantity": 5}, headers={"Content-Type": "application/merge-patch+json"}
    )
    assert patched.status_code == 200
    after_patch = client.get(f"/v1/items/{item_id}").json()
    assert client.delete(f"/v1/items/{item_id}").status_code == 204

    with relay_thread(relay_settings):
        events.wait_until(lambda got: len(got) >= 3, timeout_s=20)
        received = events.settle()

    assert [event.routing_key for event in received] == ["item.created", "item.updated", "item.deleted"]
    assert as_representation(received[0]) == after_create
    assert as_representation(received[1]) == after_patch
    deleted = as_representation(received[2])
    assert deleted["version"] == after_patch["version"] + 1
    assert {**deleted, "version": 0, "updated_at": ""} == {**after_patch, "version": 0, "updated_at": ""}
    with engine.connect() as connection:
        rows = connection.execute(select(outbox.c.event_id, outbox.c.published_at).order_by(outbox.c.seq)).all()
    assert [str(row.event_id) for row in rows] == [event.message_id for event in received]
    assert all(row.published_at is not None for row in rows)
    for event in received:
        headers = event.headers
        assert headers["ce-id"] == event.message_id
        assert headers["ce-subject"] == item_id
        assert headers["ce-type"] == f"items.v1.{event.decoded().schema.event_type}"
        assert event.properties.content_type == CONTENT_TYPE
        assert event.properties.delivery_mode == 2


def test_events_written_while_the_relay_runs_arrive_promptly(
    client: Any, relay_settings: Settings, events: EventQueue
) -> None:
    with relay_thread(relay_settings):
        item_id = client.post("/v1/items", json=CHAIR).json()["id"]
        received = events.wait_until(lambda got: len(got) >= 1, timeout_s=10)
    assert received[0].headers["ce-subject"] == item_id


def test_the_topology_has_an_alternate_exchange_for_unrouted_events(relay_settings: Settings) -> None:
    topology = Topology(relay_settings.events_exchange)
    declared = dict(topology.declarations()[-1][1])
    assert declared["arguments"] == {"alternate-exchange": "items.unrouted"}
    assert declared["durable"] is True
