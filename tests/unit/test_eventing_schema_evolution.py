"""Consumers holding an older or newer schema still read what we write (Avro resolution)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from fastavro.schema import parse_schema
from fastavro.types import Schema

from eventing.decoding import decode_event
from items_events.errors import UndecodableEvent

from .eventing_support import encoder, item_with_history, registry

UPDATED = item_with_history().events[1]


def reader_schema(**state_fields: dict[str, Any] | None) -> Schema:
    """ItemUpdated as a consumer might hold it: ItemState fields dropped (None), changed or added."""
    document = copy.deepcopy(registry().writer("items.v1.ItemUpdated").document)
    state = document["fields"][0]["type"]
    fields = {field["name"]: field for field in state["fields"]}
    for name, field in state_fields.items():
        fields.pop(name, None)
        if field is not None:
            fields[name] = {"name": name, **field}
    state["fields"] = list(fields.values())
    return parse_schema(document)


def read(reader: Schema) -> dict[str, Any]:
    payload = encoder().encode(UPDATED).payload
    state: dict[str, Any] = decode_event(payload, registry(), reader).record["item"]
    return state


def test_an_older_reader_without_some_fields_skips_them() -> None:
    state = read(reader_schema(tags=None, description=None, quantity=None, category_id=None))
    assert set(state) == {"id", "version", "sku", "name", "price", "created_at", "updated_at"}
    assert state["version"] == UPDATED.item.version
    assert state["price"] == {"amount_minor": 1999, "currency": "EUR"}


def test_a_newer_reader_fills_an_added_field_from_its_default() -> None:
    state = read(reader_schema(colour={"type": ["null", "string"], "default": None}))
    assert state["colour"] is None
    assert state["name"] == UPDATED.item.name


def test_a_reader_may_widen_a_long_to_a_double() -> None:
    assert read(reader_schema(quantity={"type": "double"}))["quantity"] == float(UPDATED.item.quantity)


def test_a_reader_needing_a_field_without_default_cannot_read() -> None:
    with pytest.raises(UndecodableEvent):
        read(reader_schema(colour={"type": "string"}))
