"""Binds the providers that API handlers receive."""

from __future__ import annotations

from injector import Module, provider, singleton
from sqlalchemy import Engine
from uuid6 import uuid7

from adapters.broker_health import BrokerCheck
from adapters.database_health import DatabaseCheck
from adapters.outbox_backlog import OutboxBacklog, OutboxCheck
from providers.health_provider import HealthProvider
from providers.item_validator import ItemValidator
from providers.items_provider import ItemsProvider
from providers.ports import UnitOfWork
from settings import Settings
from wiring.configuration import OpenApiSpec


class ProvidersModule(Module):
    @singleton
    @provider
    def item_validator(self, spec: OpenApiSpec) -> ItemValidator:
        return ItemValidator(spec)

    @provider
    def items_provider(self, uow: UnitOfWork, validator: ItemValidator) -> ItemsProvider:
        # UUIDv7 ids sort by creation time, so keyset pages follow insertion order.
        return ItemsProvider(uow, validator, new_id=uuid7)

    @singleton
    @provider
    def broker_check(self, settings: Settings) -> BrokerCheck:
        # One per process: its cached answer keeps frequent probes from opening connections.
        return BrokerCheck(settings.amqp_url)

    @singleton
    @provider
    def outbox_backlog(self, engine: Engine) -> OutboxBacklog:
        return OutboxBacklog(engine)

    @provider
    def health_provider(self, engine: Engine, broker: BrokerCheck, backlog: OutboxBacklog) -> HealthProvider:
        return HealthProvider([DatabaseCheck(engine), broker, OutboxCheck(backlog)])
