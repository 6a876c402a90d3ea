"""ASGI middleware: request id and trace context, security headers, HTTP metrics per operation, and,
when tracing is requested, a server span per request."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from observability import request_context
from observability.metrics import HTTP_LATENCY, HTTP_REQUESTS
from observability.tracing import tracing_requested

if TYPE_CHECKING:
    from observability.http_tracing import HttpTracing

log = logging.getLogger("items.access")

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",
    # Swagger UI and the AsyncAPI page need their own inline assets; nothing from elsewhere.
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
}


class ObservationMiddleware:
    """Outermost layer, so that it sees every response, errors included.

    `routes` (operationId to path template) names the server spans; with tracing off, no span
    is made and nothing of OpenTelemetry runs.
    """

    def __init__(self, app: ASGIApp, access_log: bool = True, routes: Mapping[str, str] | None = None) -> None:
        self.app = app
        self.access_log = access_log
        self._tracing = _http_tracing(self._observe, routes or {}) if tracing_requested() else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
        elif self._tracing is None:
            await self._observe(scope, receive, send)
        else:
            await self._tracing(scope, receive, send)

    async def _observe(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope)
        request_id = request_context.accept_request_id(headers.get("x-request-id"))
        request_context.request_id.set(request_id)
        # The server span's own context when tracing is on; else a child of the caller's made here.
        trace = request_context.current_span_traceparent() if self._tracing else None
        request_context.traceparent.set(trace or request_context.child_traceparent(headers.get("traceparent")))
        # Inner layers copy the scope shallowly: a dict made here is shared with Connexion's
        # router, which records the matched operationId in it.
        extensions = scope.setdefault("extensions", {})
        started = time.perf_counter()
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                if self._tracing is not None:  # before the last body message, which ends the span
                    operation_id = extensions.get("connexion_routing", {}).get("operation_id")
                    self._tracing.name_span(scope["method"], operation_id)
                response_headers = MutableHeaders(scope=message)
                response_headers["X-Request-ID"] = request_id
                for name, value in SECURITY_HEADERS.items():
                    response_headers.setdefault(name, value)
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            routing = extensions.get("connexion_routing", {})
            operation = routing.get("operation_id") or "unrouted"
            HTTP_REQUESTS.labels(operation, scope["method"], str(status)).inc()
            elapsed = time.perf_counter() - started
            HTTP_LATENCY.labels(operation, scope["method"]).observe(elapsed)
            if self.access_log:
                log.info(
                    "%s %s %s",
                    scope["method"],
                    scope["path"],
                    status,
                    extra={"operation": operation, "status": status, "duration_ms": round(elapsed * 1000, 2)},
                )


def _http_tracing(app: ASGIApp, routes: Mapping[str, str]) -> HttpTracing:
    # Loaded only when tracing is on: OpenTelemetry's SDK and instrumentations would cost every
    # worker ~2.4 MB of memory for nothing (docs/deployment.md, "Memory per worker").
    from observability.http_tracing import HttpTracing

    return HttpTracing(app, routes)
