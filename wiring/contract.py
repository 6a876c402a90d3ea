"""Binds the published event contract: the schema catalogue and the AsyncAPI document."""

from __future__ import annotations

from injector import Module, provider, singleton

from api.asyncapi_docs import AsyncApiDocs
from eventing.asyncapi import BrokerAddress, build_asyncapi
from eventing.event_catalog import EventCatalog
from eventing.released_schemas import RELEASED_DIR_NAME, load_released
from providers.schema_catalog import SchemaCatalog
from settings import PROJECT_ROOT, Settings
from wiring.configuration import OpenApiSpec
from wiring.messaging import SCHEMAS_DIR, schemas_url

RELEASED_SCHEMAS_DIR = SCHEMAS_DIR / RELEASED_DIR_NAME
ASYNCAPI_PAGE = PROJECT_ROOT / "static" / "asyncapi" / "index.html"


class ContractModule(Module):
    @singleton
    @provider
    def schema_catalog(self, catalog: EventCatalog, settings: Settings) -> SchemaCatalog:
        return SchemaCatalog(catalog.registry, load_released(RELEASED_SCHEMAS_DIR), schemas_url(settings))

    @singleton
    @provider
    def asyncapi_docs(self, catalog: EventCatalog, settings: Settings, spec: OpenApiSpec) -> AsyncApiDocs:
        # The events follow the service's releases, so they share the API's version number.
        brokers = BrokerAddress.every_node(settings.broker_public_url or settings.amqp_url)
        document = build_asyncapi(
            catalog, settings.events_exchange, str(spec["info"]["version"]), brokers, schemas_url(settings)
        )
        return AsyncApiDocs(document, ASYNCAPI_PAGE)
