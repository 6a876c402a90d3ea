"""Runs the Flask (WSGI) app on the event loop's own thread, with the request body read first.

Connexion's FlaskApp hands each request to a2wsgi's pool of 10 threads, and each read of the body
back to the loop: about 0.3 ms of CPU per request, half of a trivial request's cost. Here the whole
body (already bounded by BodyLimitMiddleware) is received first, the WSGI app runs to completion in
the request's task, and the response goes out in one piece. While a handler waits on the database
its worker waits with it: concurrency comes from worker processes (docs/deployment.md).
"""

from __future__ import annotations

import contextvars
import io
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any, cast

from a2wsgi.asgi_typing import HTTPScope
from a2wsgi.wsgi import Body, build_environ
from connexion import FlaskApp
from starlette.types import Message, Receive, Scope, Send

from api.body_limit import too_large

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class InlineWSGI:
    """An ASGI app around a WSGI app, without threads; `app` is public, as a2wsgi's is."""

    def __init__(self, app: WSGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            # Connexion's LifespanMiddleware answers the lifespan; a websocket is refused by the server.
            return
        body = await _read_body(receive, self.max_body_bytes)
        if body is None:  # the client left before sending all of it: nobody to answer
            return
        if len(body) > self.max_body_bytes:
            await too_large(self.max_body_bytes)(scope, receive, send)
            return
        environ: dict[str, Any] = cast(Any, build_environ(cast(HTTPScope, scope), cast(Body, io.BytesIO(body))))
        environ["wsgi.multithread"] = False
        environ["wsgi.input_terminated"] = True  # the stream ends with the body, Content-Length or not
        response = _CollectedResponse()
        # A copy, as the thread had: what the app sets in context variables stays inside it.
        contextvars.copy_context().run(response.collect, self.app, environ)
        await send({"type": "http.response.start", "status": response.status, "headers": response.headers})
        await send({"type": "http.response.body", "body": response.body})


class _CollectedResponse:
    """The status, headers and whole body of one WSGI call."""

    def __init__(self) -> None:
        self.status = 500
        self.headers: list[tuple[bytes, bytes]] = []
        self.body = b""
        self._chunks: list[bytes] = []
        self._exc_info: ExcInfo | None = None

    def collect(self, app: WSGIApp, environ: Any) -> None:
        iterable: Iterable[bytes] = app(environ, self._start_response)
        try:
            self._chunks.extend(iterable)
        finally:
            close = getattr(iterable, "close", None)
            if close is not None:
                close()
        if self._exc_info is not None:
            raise self._exc_info[1].with_traceback(self._exc_info[2])
        self.body = b"".join(self._chunks)

    def _start_response(self, status: str, headers: list[tuple[str, str]], exc_info: ExcInfo | None = None) -> Any:
        self._exc_info = exc_info
        self.status = int(status.split(" ", 1)[0])
        self.headers = [(name.lower().encode("latin1"), value.encode("latin1")) for name, value in headers]
        return self._chunks.append  # the legacy write() callable


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """The request's body, or None if the client disconnected; reading stops once past `limit`."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message: Message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if size > limit or not message.get("more_body", False):
            return b"".join(chunks)


def serve_inline(app: FlaskApp, max_body_bytes: int) -> None:
    """Replace the thread pool of `app` with InlineWSGI, keeping any WSGI middleware already added."""
    # FlaskApp builds its a2wsgi middleware in __init__ and offers no way to choose another.
    flask_asgi = app._middleware_app
    pooled = flask_asgi.asgi_app
    flask_asgi.asgi_app = InlineWSGI(pooled.app, max_body_bytes)
    pooled.executor.shutdown(wait=False)  # it never started a thread
