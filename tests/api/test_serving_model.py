"""Requests are served on the event loop's thread, through operations whose decorators are built once."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from connexion import FlaskApp
from connexion.decorators import FlaskDecorator

from api.inline_wsgi import InlineWSGI
from api.prebuilt_operations import PrebuiltOperation
from tests.api.test_items_api import CHAIR, create

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def test_the_flask_app_is_served_inline(app: FlaskApp) -> None:
    assert isinstance(app._middleware_app.asgi_app, InlineWSGI)


def test_handlers_run_on_the_thread_of_the_event_loop(client: Any, app: FlaskApp) -> None:
    seen: list[int] = []

    @app.app.before_request
    def record_thread() -> None:
        seen.append(threading.get_ident())

    loop_threads: list[int] = []
    inline = app._middleware_app.asgi_app

    async def recording(scope: Any, receive: Any, send: Any) -> None:
        loop_threads.append(threading.get_ident())
        await inline(scope, receive, send)

    app._middleware_app.asgi_app = recording
    assert client.get("/health/live").status_code == 200
    assert seen == loop_threads and len(seen) == 1


def test_each_operations_decorators_are_built_on_its_first_request_only(
    client: Any, app: FlaskApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[object] = []
    decorate = FlaskDecorator.decorate

    def counting(self: FlaskDecorator, function: Any) -> Any:
        built.append(function)
        return decorate(self, function)

    monkeypatch.setattr(FlaskDecorator, "decorate", counting)
    item = create(client, CHAIR).json()
    for _ in range(3):
        assert client.get(f"/v1/items/{item['id']}").status_code == 200
    assert len(built) == 2  # create and read, once each
    assert isinstance(app.app.view_functions["/.api_items_read"], PrebuiltOperation)
