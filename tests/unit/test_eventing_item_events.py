"""Domain events to outbox messages: payload round trip, columns and CloudEvents headers."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import String

from adapters.tables import outbox
from domain.events import declared_events
from domain.item import Item, ItemCreated, ItemDeleted, ItemEvent, ItemUpdated, Money
from eventing.decoding import decode_event
from eventing.event_catalog import EventCatalog
from eventing.event_encoder import EventEncoder
from eventing.schema_registry import SchemaRegistry, UnknownEventType
from items_events.cloudevents import rfc3339_utc
from tests.events import catalog

from .eventing_support import (
    CREATED_AT,
    DELETED_AT,
    EVENT_ID,
    ITEM_ID,
    SOURCE,
    UPDATED_AT,
    client_fields,
    encoder,
    item_with_history,
    registry,
)

EVENTS = item_with_history().events


def test_the_history_has_one_event_of_each_type() -> None:
    assert [type(event) for event in EVENTS] == [ItemCreated, ItemUpdated, ItemDeleted]


@pytest.mark.parametrize("event", EVENTS, ids=lambda event: type(event).name())
def test_each_event_type_round_trips_through_its_own_schema(event: ItemEvent) -> None:
    decoded = decode_event(encoder().encode(event).payload, registry())
    assert decoded.schema.full_name == event.schema
    state = decoded.record["item"]
    assert Item(**state | {"price": Money(**state["price"])}) == event.item


def test_the_decoded_state_has_the_item_values_and_types() -> None:
    state = decode_event(encoder().encode(EVENTS[1]).payload, registry()).record["item"]
    assert state == {
        "id": ITEM_ID,
        "version": 2,
        "sku": "SKU-0001",
        "name": "Blue mug XL",
        "description": None,
        "price": {"amount_minor": 1999, "currency": "EUR"},
        "quantity": 2**40,
        "tags": [],
        "created_at": CREATED_AT,
        "updated_at": UPDATED_AT,
        "category_id": None,
    }


@pytest.mark.parametrize(
    ("event", "version", "occurred_at"),
    list(zip(EVENTS, [1, 2, 3], [CREATED_AT, UPDATED_AT, DELETED_AT], strict=True)),
)
def test_outbox_columns(event: ItemEvent, version: int, occurred_at: datetime) -> None:
    message = encoder().encode(event)
    assert message.event_id == EVENT_ID
    assert message.aggregate_id == ITEM_ID
    assert message.aggregate_version == version
    assert message.event_type == type(event).name()
    assert message.routing_key == event.routing_key
    assert message.schema_fingerprint == message.payload[2:10].hex()
    assert message.schema_fingerprint == registry().writer(event.schema).fingerprint_hex
    assert message.occurred_at == occurred_at


def test_a_row_fills_every_outbox_column_but_the_sequence_and_publication_time() -> None:
    row = encoder().encode(EVENTS[0]).as_row()
    assert set(row) == set(outbox.columns.keys()) - {"seq", "published_at"}
    fingerprint_column = outbox.columns["schema_fingerprint"].type
    assert isinstance(fingerprint_column, String)
    assert len(row["schema_fingerprint"]) == fingerprint_column.length


def test_cloudevents_headers() -> None:
    fingerprint = registry().writer("items.v1.ItemDeleted").fingerprint_hex
    assert encoder().encode(EVENTS[2]).headers == {
        "ce-specversion": "1.0",
        "ce-id": str(EVENT_ID),
        "ce-source": SOURCE,
        "ce-type": "items.v1.ItemDeleted",
        "ce-time": "2024-05-03T23:59:59.000001Z",
        "ce-subject": str(ITEM_ID),
        "ce-dataschema": f"https://items.example.com/v1/schemas/{fingerprint}",
    }


def test_each_message_gets_a_new_time_ordered_event_id_by_default() -> None:
    default_encoder = EventEncoder(catalog(), SOURCE, "http://localhost/v1/schemas")
    first, second = (default_encoder.encode(EVENTS[0]) for _ in range(2))
    assert first.event_id != second.event_id
    assert first.event_id.version == 7
    assert first.headers["ce-id"] == str(first.event_id)


def test_time_is_converted_to_utc() -> None:
    summer_in_paris = datetime(2024, 7, 1, 2, 0, tzinfo=timezone(timedelta(hours=2)))
    assert rfc3339_utc(summer_in_paris) == "2024-07-01T00:00:00.000000Z"


def test_a_naive_time_is_refused() -> None:
    item = Item.create(ITEM_ID, client_fields(), datetime(2024, 5, 1, 12, 0))
    with pytest.raises(ValueError, match="timezone-aware"):
        encoder().encode(item.events[0])


def test_an_event_without_a_schema_is_refused() -> None:
    with pytest.raises(UnknownEventType):
        encoder().encode(ItemEvent(EVENTS[0].item))


def test_the_catalog_needs_a_schema_for_every_declared_event() -> None:
    incomplete = SchemaRegistry([registry().writer("items.v1.ItemCreated"), registry().writer("items.v1.ItemUpdated")])
    with pytest.raises(UnknownEventType, match="ItemDeleted"):
        EventCatalog(declared_events(), incomplete)
