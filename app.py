"""The composition root: `create_app(settings)` is the one way to build the service."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import yaml
from connexion import FlaskApp
from connexion.exceptions import ProblemException
from connexion.middleware import ConnexionMiddleware, MiddlewarePosition
from connexion.options import SwaggerUIOptions
from flask_injector import FlaskInjector
from injector import Injector, Module
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Route

from adapters.jwt_verifier import JwtVerifier
from api.body_limit import BodyLimitMiddleware
from api.cached_validators import cached_validator_map
from api.content_negotiation import ContentNegotiationMiddleware
from api.database_outage import OutageLog, database_problem_handler
from api.dev_token_endpoint import DevTokenEndpoint
from api.extra_routes import ExtraRoutesMiddleware
from api.inline_wsgi import serve_inline
from api.observation import ObservationMiddleware
from api.prebuilt_operations import prebuild_operations
from api.prebuilt_validation import with_prebuilt_validation
from api.problems import domain_problem, framework_problem, invalid_text
from api.security import scoped_token_handlers
from api.spec_documents import declared_scopes, published_spec, spec_document_routes
from api.strict_slashes import StrictSlashesMiddleware
from api.unrouted import reject_unrouted
from domain.errors import DomainError
from observability.span_routes import operation_routes
from settings import PROJECT_ROOT, Settings, load_settings
from wiring.configuration import ConfigurationModule, OpenApiSpec
from wiring.contract import ContractModule
from wiring.injecting_resolver import InjectingResolver
from wiring.messaging import MessagingModule
from wiring.persistence import PersistenceModule
from wiring.providers import ProvidersModule
from wiring.security import SecurityModule

SPEC_PATH = PROJECT_ROOT / "swagger" / "openapi.yaml"


def load_spec(path: Path = SPEC_PATH) -> dict[str, Any]:
    with path.open(encoding="utf-8") as spec_file:
        return dict(yaml.safe_load(spec_file))


def build_injector(settings: Settings, overrides: Sequence[Module] = ()) -> Injector:
    """Every binding of the service; later modules (test fakes) override earlier ones."""
    modules: list[Module] = [
        ConfigurationModule(settings, load_spec()),
        PersistenceModule(),
        MessagingModule(),
        ContractModule(),
        SecurityModule(),
        ProvidersModule(),
        *overrides,
    ]
    return Injector(modules)


def create_app(settings: Settings | None = None, overrides: Sequence[Module] = ()) -> FlaskApp:
    settings = settings or load_settings()
    injector = build_injector(settings, overrides)

    @asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        yield
        injector.get(Engine).dispose()

    verifier = injector.get(JwtVerifier)
    spec = injector.get(OpenApiSpec)
    app = FlaskApp(
        __name__,
        lifespan=lifespan,
        resolver=InjectingResolver(injector),
        # Each operation's validators built once; the Content-Type made canonical before they read it.
        middlewares=with_prebuilt_validation(
            ConnexionMiddleware.default_middlewares, before=[ContentNegotiationMiddleware]
        ),
        validator_map=cached_validator_map(settings.max_json_depth),
        security_map=scoped_token_handlers(verifier.token_info, settings.auth_enabled),
        # Connexion would serve its resolved copy of the spec; clients get the authored one (below).
        swagger_ui_options=SwaggerUIOptions(swagger_ui_path="/ui", serve_spec=False),
    )
    serve_inline(app, settings.max_body_bytes)
    prebuild_operations(app)
    app.add_api(spec, validate_responses=settings.validate_responses)
    app.add_middleware(
        ExtraRoutesMiddleware,
        position=MiddlewarePosition.BEFORE_SWAGGER,
        routes=routes_outside_spec(spec, settings, verifier),
    )
    app.add_error_handler(DomainError, domain_problem)
    app.add_error_handler(ProblemException, framework_problem)
    app.add_error_handler(UnicodeError, invalid_text)
    app.add_error_handler(SQLAlchemyError, database_problem_handler(OutageLog()))
    app.add_middleware(StrictSlashesMiddleware, position=MiddlewarePosition.BEFORE_ROUTING)
    app.add_middleware(
        ObservationMiddleware,
        position=MiddlewarePosition.BEFORE_EXCEPTION,
        access_log=settings.access_log,
        routes=operation_routes(spec),
    )
    if settings.cors_allow_origins:
        app.add_middleware(
            CORSMiddleware,
            position=MiddlewarePosition.BEFORE_EXCEPTION,
            allow_origins=settings.cors_allow_origins,
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "If-Match", "If-None-Match", "Idempotency-Key"],
            expose_headers=["ETag", "Location", "X-Request-ID"],
        )
    app.add_middleware(
        BodyLimitMiddleware,
        position=MiddlewarePosition.BEFORE_EXCEPTION,
        max_body_bytes=settings.max_body_bytes,
    )
    app.app.before_request(reject_unrouted)
    FlaskInjector(app=app.app, injector=injector)
    return app


def routes_outside_spec(spec: dict[str, Any], settings: Settings, verifier: JwtVerifier) -> list[Route]:
    """The spec as clients get it and, while the service signs its own tokens, the dev token endpoint."""
    routes = spec_document_routes(published_spec(spec, settings.public_base_url, settings.auth_token_url))
    if settings.signs_own_tokens:
        endpoint = DevTokenEndpoint(
            verifier.dev_secret(), settings.auth_issuer, settings.auth_audience, declared_scopes(spec)
        )
        routes.append(endpoint.route())
    return routes
