"""A server span per HTTP request (OpenTelemetry's ASGI middleware), named after the spec's route."""

from __future__ import annotations

import os
from collections.abc import Mapping

from opentelemetry import trace
from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
from opentelemetry.instrumentation.utils import suppress_instrumentation
from opentelemetry.util.http import parse_excluded_urls
from starlette.types import ASGIApp, Receive, Scope, Send

from observability.tracing import prefer_stable_conventions

UNTRACED_PATHS = "^/health/,^/metrics$"
"""Probes and scrapes, a trace every few seconds that says nothing; `OTEL_PYTHON_ASGI_EXCLUDED_URLS`
(or `OTEL_PYTHON_EXCLUDED_URLS`), comma-separated regular expressions, replaces the list."""


class HttpTracing:
    """Runs `app` inside a server span, or, for an untraced path, with every instrumentation silenced."""

    def __init__(self, app: ASGIApp, routes: Mapping[str, str]) -> None:
        prefer_stable_conventions()
        self._app = app
        self._routes = routes
        # Spans of each ASGI receive and send would triple the spans of a request and tell nothing.
        self._traced = OpenTelemetryMiddleware(
            self._within_span, default_span_details=_method_only, exclude_spans=["receive", "send"]
        )
        untraced = os.environ.get("OTEL_PYTHON_ASGI_EXCLUDED_URLS", os.environ.get("OTEL_PYTHON_EXCLUDED_URLS"))
        self._untraced = parse_excluded_urls(UNTRACED_PATHS if untraced is None else untraced)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._untraced.url_disabled(scope["path"]):
            await self._traced(scope, receive, send)
            return
        with suppress_instrumentation():  # no root spans of its database statements either
            await self._app(scope, receive, send)

    async def _within_span(self, scope: Scope, receive: Receive, send: Send) -> None:
        if trace.get_current_span().is_recording():
            await self._app(scope, receive, send)
            return
        # Sampled out: its statements' spans would be dropped anyway, so skip making them (~20 µs each).
        with suppress_instrumentation():
            await self._app(scope, receive, send)

    def name_span(self, method: str, operation_id: str | None) -> None:
        """Once routed: `POST /v1/items`, with `http.route`; an unrouted request keeps the bare method."""
        route = self._routes.get(operation_id or "")
        span = trace.get_current_span()
        if route and span.is_recording():
            span.update_name(f"{method} {route}")
            span.set_attribute("http.route", route)


def _method_only(scope: Scope) -> tuple[str, dict[str, str]]:
    # The path would make every item its own span name; `name_span` adds the route once known.
    return str(scope.get("method", "HTTP")), {}
