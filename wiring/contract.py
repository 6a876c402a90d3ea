"""Binds the published event contract: the schema catalogue and the AsyncAPI document."""

from __future__ import annotations

from injector import Module, provider, singleton

from eventing.asyncapi import build_asyncapi
from eventing.released_schemas import RELEASED_DIR_NAME, load_released
from eventing.schema_registry import SchemaRegistry
from providers.asyncapi_docs import AsyncApiDocs
from providers.schema_catalog import SchemaCatalog
from relay.topology import Topology
from settings import PROJECT_ROOT, Settings
from wiring.configuration import OpenApiSpec
from wiring.messaging import SCHEMAS_DIR

RELEASED_SCHEMAS_DIR = SCHEMAS_DIR / RELEASED_DIR_NAME
ASYNCAPI_PAGE = PROJECT_ROOT / "static" / "asyncapi" / "index.html"


class ContractModule(Module):
    @singleton
    @provider
    def schema_catalog(self, registry: SchemaRegistry, settings: Settings) -> SchemaCatalog:
        return SchemaCatalog(registry, load_released(RELEASED_SCHEMAS_DIR), settings.public_base_url)

    @singleton
    @provider
    def asyncapi_docs(self, registry: SchemaRegistry, settings: Settings, spec: OpenApiSpec) -> AsyncApiDocs:
        # The events follow the service's releases, so they share the API's version number.
        document = build_asyncapi(
            registry, Topology(settings.events_exchange), str(spec["info"]["version"]), settings.amqp_url
        )
        return AsyncApiDocs(document, ASYNCAPI_PAGE)
