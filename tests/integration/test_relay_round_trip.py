"""Every committed write through the API becomes exactly one event, in order, with the committed state."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, select

from adapters.tables import outbox
from api.item_representation import rfc3339
from items_events.single_object import CONTENT_TYPE
from observability.metrics import EVENTS_CONFIRMED, EVENTS_PUBLISHED
from relay.relay_options import RelayOptions
from settings import Settings
from tests.integration.event_queue import EventQueue, ReceivedEvent
from tests.integration.relay_runner import relay_thread
from tests.waiting import wait_until

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
    for optional in ("description", "category_id"):
        if body[optional] is None:
            del body[optional]
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
        events.wait_for_count(3, timeout_s=20)
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


@pytest.mark.parametrize("database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
@pytest.mark.parametrize("read_interval_s", [0.0, 0.2])
def test_on_postgresql_a_commit_wakes_the_relay_without_polling(
    client: Any, relay_settings: Settings, events: EventQueue, read_interval_s: float
) -> None:
    """NOTIFY at commit is the only wake-up here: the fallback poll is set far beyond the wait.

    With a read interval, every commit after the first comes while the relay is not watching
    for notifications; it must still be read once the interval is over.
    How soon events arrive is a figure of `make bench` (P5), not of this test.
    """
    no_polling = RelayOptions(batch_size=100, max_in_flight=100, poll_interval_s=3600, read_interval_s=read_interval_s)
    with relay_thread(relay_settings, no_polling) as service:
        wait_until(lambda: service.relay.leading, "the relay leading")
        for number in range(1, 6):
            item_id = client.post("/v1/items", json={**CHAIR, "sku": f"WOKEN-{number}"}).json()["id"]
            received = events.wait_for_count(number, timeout_s=30)
            assert received[-1].headers["ce-subject"] == item_id


def test_relay_counts_published_and_confirmed_events(
    client: Any, relay_settings: Settings, events: EventQueue
) -> None:
    published, confirmed = EVENTS_PUBLISHED._value.get(), EVENTS_CONFIRMED._value.get()
    for number in range(3):
        assert client.post("/v1/items", json={**CHAIR, "sku": f"COUNT-{number}"}).status_code == 201
    with relay_thread(relay_settings):
        events.wait_for_count(3, timeout_s=20)
        wait_until(lambda: EVENTS_CONFIRMED._value.get() - confirmed >= 3, "three confirms")
    assert EVENTS_PUBLISHED._value.get() - published >= 3
    assert EVENTS_CONFIRMED._value.get() - confirmed >= 3


def test_the_request_trace_reaches_the_event_headers(
    client: Any, relay_settings: Settings, events: EventQueue
) -> None:
    trace_id = "0af7651916cd43dd8448eb211c80319c"
    response = client.post("/v1/items", json=CHAIR, headers={"traceparent": f"00-{trace_id}-b7ad6b7169203331-01"})
    assert response.status_code == 201
    with relay_thread(relay_settings):
        received = events.wait_for_count(1, timeout_s=20)
    assert received[0].headers["traceparent"].split("-")[1] == trace_id
