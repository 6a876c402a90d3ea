"""A consumer built against an older schema still reads events from the newer writer."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from fastavro import parse_schema
from fastavro.types import Schema
from sqlalchemy import Connection

from items_events import ConsumerConfig, ConsumerRunner, EventHandlers, ReceivedEvent, create_consumer_engine
from tests.consumer.broker import TestBroker
from tests.consumer.consumer_thread import running
from tests.consumer.item_events import messages, new_item, service_writers, update
from tests.events import registry
from tests.waiting import wait_until

pytestmark = pytest.mark.rabbitmq

# ItemState as a consumer written before `description` and `tags` were added would hold it.
DROPPED_FIELDS = {"description", "tags"}


def older_reader_schema(event_type: str) -> Schema:
    document = copy.deepcopy(registry().writer(event_type).document)
    state = document["fields"][0]["type"]
    state["fields"] = [field for field in state["fields"] if field["name"] not in DROPPED_FIELDS]
    return parse_schema(document)


def test_an_older_reader_schema_decodes_the_newer_writers_events(
    broker: TestBroker, consumer_config: ConsumerConfig, tmp_path: Path
) -> None:
    mug = new_item(quantity=4, tags=["kitchen"], description="Stoneware")
    update(mug, quantity=6)
    broker.publish(consumer_config.exchange, messages(mug))
    seen: list[ReceivedEvent] = []
    handlers = EventHandlers()
    event_types = ("items.v1.ItemCreated", "items.v1.ItemUpdated")

    @handlers.on(*event_types)
    def remember(event: ReceivedEvent, _connection: Connection) -> None:
        seen.append(event)

    engine = create_consumer_engine(f"sqlite:///{tmp_path / 'old.db'}")
    readers = {event_type: older_reader_schema(event_type) for event_type in event_types}
    runner = ConsumerRunner(consumer_config, handlers, engine, writers=service_writers(), readers=readers)
    try:
        with running(runner):
            wait_until(lambda: len(seen) == 2, "both events handled")
    finally:
        engine.dispose()

    items: list[dict[str, Any]] = [event.record["item"] for event in seen]
    assert all(DROPPED_FIELDS.isdisjoint(item) for item in items)
    assert [(item["id"], item["version"], item["quantity"]) for item in items] == [(mug.id, 1, 4), (mug.id, 2, 6)]
    assert [event.subject for event in seen] == [str(mug.id)] * 2
    assert items[0]["price"] == {"amount_minor": 1999, "currency": "EUR"}
