"""Binds what providers need besides persistence: the contract's schemas, and the health checks.

Resource providers (`ItemsProvider`, ...) need no binding: the injector builds them from
their constructors' annotations.
"""

from __future__ import annotations

from injector import Module, provider, singleton
from sqlalchemy import Engine

from adapters.broker_health import BrokerCheck
from adapters.database_health import DatabaseCheck
from adapters.outbox_backlog import OutboxBacklog, OutboxCheck
from api.document_schemas import SpecDocumentSchemas
from providers.health_provider import Backlog, HealthProvider
from providers.ports import DocumentSchemas
from settings import Settings
from wiring.configuration import OpenApiSpec


class ProvidersModule(Module):
    @singleton
    @provider
    def document_schemas(self, spec: OpenApiSpec) -> DocumentSchemas:
        return SpecDocumentSchemas(spec)

    @singleton
    @provider
    def broker_check(self, settings: Settings) -> BrokerCheck:
        # One per process: its cached answer keeps frequent probes from opening connections.
        return BrokerCheck(settings.amqp_url)

    @singleton
    @provider
    def outbox_backlog(self, engine: Engine) -> Backlog:
        return OutboxBacklog(engine)

    @provider
    def health_provider(
        self, engine: Engine, broker: BrokerCheck, backlog: Backlog, settings: Settings
    ) -> HealthProvider:
        database = DatabaseCheck(engine, settings.db_probe_timeout_ms)
        return HealthProvider([database, broker, OutboxCheck(backlog)])
