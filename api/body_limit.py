"""ASGI middleware that answers 413 to bodies over the limit, before anything reads them."""

from __future__ import annotations

import json

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyLimitMiddleware:
    """Checks Content-Length up front, and counts chunked bodies while buffering them."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            if not declared.isdigit():
                await _problem(400, "Content-Length is not a number")(scope, receive, send)
            elif int(declared) > self.max_body_bytes:
                await self._too_large()(scope, receive, send)
            else:
                await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            size += len(message.get("body", b""))
            if size > self.max_body_bytes:
                await self._too_large()(scope, receive, send)
                return
            if message["type"] != "http.request" or not message.get("more_body", False):
                break
        if size:
            # Connexion takes a body without Content-Length for no body at all: declare its size.
            headers = [(name, value) for name, value in scope["headers"] if name != b"transfer-encoding"]
            scope = {**scope, "headers": [*headers, (b"content-length", str(size).encode())]}
        await self.app(scope, _replay(messages, receive), send)

    def _too_large(self) -> Response:
        return too_large(self.max_body_bytes)


def too_large(max_body_bytes: int) -> Response:
    """The 413 problem of a body over `max_body_bytes`."""
    return _problem(413, f"the request body is over {max_body_bytes} bytes", "Content Too Large")


def _problem(status: int, detail: str, title: str = "Bad Request") -> Response:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return Response(json.dumps(body), status, media_type="application/problem+json")


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replayed() -> Message:
        return pending.pop(0) if pending else await receive()

    return replayed
