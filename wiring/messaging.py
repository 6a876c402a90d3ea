"""Binds the event contract: the catalog of published events, the encoder and the outbox writer."""

from __future__ import annotations

from injector import Module, provider, singleton

import domain
from adapters.outbox_writer import OutboxWriter
from api.schemas import COLLECTION as SCHEMAS_COLLECTION
from domain.events import declared_events
from eventing.event_catalog import EventCatalog
from eventing.event_encoder import EventEncoder
from eventing.schema_registry import SchemaRegistry
from settings import PROJECT_ROOT, Settings
from wiring.discovery import import_all

SCHEMAS_DIR = PROJECT_ROOT / "schemas" / "avro"


def event_catalog() -> EventCatalog:
    """Every event a module of `domain/` declares, each with its current writer schema."""
    import_all(domain)
    return EventCatalog.load(declared_events(), SCHEMAS_DIR)


def schemas_url(settings: Settings) -> str:
    """Where the writer schemas are served: the base of every `ce-dataschema`."""
    return settings.public_base_url.rstrip("/") + SCHEMAS_COLLECTION


class MessagingModule(Module):
    @singleton
    @provider
    def catalog(self) -> EventCatalog:
        return event_catalog()

    @singleton
    @provider
    def schema_registry(self, catalog: EventCatalog) -> SchemaRegistry:
        return catalog.registry

    @singleton
    @provider
    def outbox_writer(self, catalog: EventCatalog, settings: Settings) -> OutboxWriter:
        return OutboxWriter(EventEncoder(catalog, settings.event_source, schemas_url(settings)))
