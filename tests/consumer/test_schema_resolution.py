"""A consumer built against an older schema still reads events from the newer writer."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from fastavro import parse_schema
from fastavro.types import Schema

from items_events import ConsumerConfig
from tests.consumer.broker import TestBroker
from tests.consumer.consumer_thread import handled_events
from tests.consumer.item_events import messages, new_item, update
from tests.events import registry

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
    readers = {name: older_reader_schema(name) for name in ("items.v1.ItemCreated", "items.v1.ItemUpdated")}
    seen = handled_events(consumer_config, readers, 2, tmp_path)

    items: list[dict[str, Any]] = [event.record["item"] for event in seen]
    assert all(DROPPED_FIELDS.isdisjoint(item) for item in items)
    assert [(item["id"], item["version"], item["quantity"]) for item in items] == [(mug.id, 1, 4), (mug.id, 2, 6)]
    assert [event.subject for event in seen] == [str(mug.id)] * 2
    assert items[0]["price"] == {"amount_minor": 1999, "currency": "EUR"}
