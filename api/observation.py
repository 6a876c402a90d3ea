"""ASGI middleware: request id and trace context, security headers, and HTTP metrics per operation."""

from __future__ import annotations

import logging
import time

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from observability import request_context
from observability.metrics import HTTP_LATENCY, HTTP_REQUESTS

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
    """Outermost layer, so that it sees every response, errors included."""

    def __init__(self, app: ASGIApp, access_log: bool = True) -> None:
        self.app = app
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        request_id = request_context.accept_request_id(headers.get("x-request-id"))
        request_context.request_id.set(request_id)
        request_context.traceparent.set(request_context.child_traceparent(headers.get("traceparent")))
        # Inner layers copy the scope shallowly: a dict made here is shared with Connexion's
        # router, which records the matched operationId in it.
        extensions = scope.setdefault("extensions", {})
        started = time.perf_counter()
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
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
