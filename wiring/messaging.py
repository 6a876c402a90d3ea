"""Binds the event contract: the schema registry, the event encoder and the outbox writer."""

from __future__ import annotations

from injector import Module, provider, singleton

from adapters.outbox_writer import OutboxWriter
from eventing.item_events import ITEM_EVENT_SCHEMAS, ItemEventEncoder
from eventing.schema_registry import SchemaRegistry
from settings import PROJECT_ROOT, Settings

SCHEMAS_DIR = PROJECT_ROOT / "schemas" / "avro"


class MessagingModule(Module):
    @singleton
    @provider
    def schema_registry(self) -> SchemaRegistry:
        return SchemaRegistry.load(SCHEMAS_DIR, ITEM_EVENT_SCHEMAS)

    @singleton
    @provider
    def event_encoder(self, registry: SchemaRegistry, settings: Settings) -> ItemEventEncoder:
        return ItemEventEncoder(registry, settings.event_source, settings.public_base_url)

    @singleton
    @provider
    def outbox_writer(self, encoder: ItemEventEncoder) -> OutboxWriter:
        return OutboxWriter(encoder)
