"""The service's event catalog and encoder, built once per test session as the service builds them."""

from __future__ import annotations

from functools import cache

from eventing.event_catalog import EventCatalog
from eventing.event_encoder import EventEncoder
from eventing.schema_registry import SchemaRegistry
from wiring.messaging import event_catalog

SCHEMAS_URL = "http://127.0.0.1:8080/v1/schemas"


@cache
def catalog() -> EventCatalog:
    return event_catalog()


def registry() -> SchemaRegistry:
    return catalog().registry


@cache
def encoder() -> EventEncoder:
    return EventEncoder(catalog(), "urn:items-service:test", SCHEMAS_URL)


def event_schemas() -> list[str]:
    """The full names of every published event's schema."""
    return [event.full_name for event in catalog()]
