"""The WSGI app runs on the loop's own thread, sees the whole body, and its errors reach the ASGI layers."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterable, MutableMapping
from typing import Any

import pytest
from connexion import FlaskApp

from api.inline_wsgi import InlineWSGI, serve_inline

SCOPE = {
    "type": "http",
    "http_version": "1.1",
    "method": "POST",
    "path": "/echo",
    "root_path": "",
    "query_string": b"",
    "headers": [(b"content-type", b"text/plain")],
    "server": ("127.0.0.1", 8080),
    "client": ("127.0.0.1", 40000),
}


def _echo(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    body = environ["wsgi.input"].read()
    start_response("201 Created", [("Content-Type", "text/plain"), ("X-Thread", str(threading.get_ident()))])
    return [b"got ", body]


def _call(app: InlineWSGI, messages: list[Any]) -> tuple[list[MutableMapping[str, Any]], int]:
    """Run one request through `app`; return what it sent and the ident of the loop's thread."""
    sent: list[MutableMapping[str, Any]] = []
    pending = list(messages)

    async def receive() -> dict[str, Any]:
        return pending.pop(0) if pending else {"type": "http.disconnect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    async def run() -> int:
        await app(dict(SCOPE), receive, send)
        return threading.get_ident()

    return sent, asyncio.run(run())


def test_the_app_runs_on_the_loops_thread_with_the_whole_body() -> None:
    chunks = [{"type": "http.request", "body": b"ab", "more_body": True}, {"type": "http.request", "body": b"cd"}]
    sent, loop_thread = _call(InlineWSGI(_echo, max_body_bytes=100), chunks)
    start, body = sent
    assert start["status"] == 201
    assert (b"x-thread", str(loop_thread).encode()) in start["headers"]
    assert body == {"type": "http.response.body", "body": b"got abcd"}


def test_a_client_gone_before_the_end_of_its_body_gets_no_call() -> None:
    calls: list[object] = []

    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        calls.append(environ)
        return _echo(environ, start_response)

    sent, _ = _call(InlineWSGI(app, max_body_bytes=100), [{"type": "http.request", "body": b"ab", "more_body": True}])
    assert (sent, calls) == ([], [])


def test_a_body_over_the_limit_is_refused_without_calling_the_app() -> None:
    chunks = [{"type": "http.request", "body": b"x" * 8, "more_body": True}, {"type": "http.request", "body": b"y"}]
    sent, _ = _call(InlineWSGI(_echo, max_body_bytes=8), chunks)
    assert sent[0]["status"] == 413
    assert json.loads(sent[1]["body"])["status"] == 413


def test_an_exception_of_the_app_propagates_to_the_asgi_layers_and_closes_its_iterable() -> None:
    closed: list[bool] = []

    class Failing:
        def __iter__(self) -> Any:
            raise LookupError("boom")

        def close(self) -> None:
            closed.append(True)

    def app(_environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        start_response("200 OK", [])
        return Failing()

    with pytest.raises(LookupError):
        _call(InlineWSGI(app, max_body_bytes=100), [{"type": "http.request", "body": b""}])
    assert closed == [True]


def test_serve_inline_keeps_the_flask_app_and_drops_the_pool() -> None:
    app = FlaskApp(__name__)
    serve_inline(app, max_body_bytes=100)
    inline = app._middleware_app.asgi_app
    assert isinstance(inline, InlineWSGI)
    assert inline.app == app.app.wsgi_app
