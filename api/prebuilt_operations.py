"""Builds each operation's Connexion decorator stack once, where FlaskOperation rebuilds it per request.

Connexion 3.3's `FlaskOperation.fn` makes a new FlaskDecorator on every call, which re-reads the
handler's signature (`inspect.signature`), wraps it three times and parses the operation's
parameter definitions again: about 5% of a GET's CPU. The stack depends only on the operation,
which is fixed per Flask view, so it is built on the view's first request and kept.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from connexion import FlaskApp
from connexion.apps.flask import FlaskOperation
from connexion.decorators import FlaskDecorator
from connexion.frameworks.flask import Flask as FlaskFramework
from connexion.uri_parsing import AbstractURIParser


class PrebuiltOperation:
    """A Flask view doing what FlaskOperation does, with the decorated handler built once."""

    def __init__(self, operation: FlaskOperation) -> None:
        self._decorator = FlaskDecorator(pythonic_params=operation.pythonic_params, jsonifier=operation.jsonifier)
        self._handler: Callable[..., Any] = operation._fn
        self._built: tuple[AbstractURIParser, Callable[..., Any]] | None = None
        self.operation_id = operation.operation_id
        functools.update_wrapper(self, self._handler)

    def __call__(self, *_args: Any, **_kwargs: Any) -> Any:
        # Arguments come from the request, as in Connexion's wrapper, not from Flask's view args.
        if self._built is None:
            # Both read connexion.context.operation, which is only set during a request.
            self._built = (self._decorator.uri_parser, self._decorator.decorate(self._handler))
        uri_parser, decorated = self._built
        return decorated(FlaskFramework.get_request(uri_parser=uri_parser))


def prebuild_operations(app: FlaskApp) -> None:
    """Make every API added to `app` serve its operations through PrebuiltOperation."""
    # Connexion adds the APIs to its Flask app only when it builds its middleware stack, at
    # startup: wrap that step, keeping Connexion's own, and swap the views it registered.
    flask_asgi = app._middleware_app
    add_api = flask_asgi.add_api
    views = app.app.view_functions

    @functools.wraps(add_api)
    def add_api_with_prebuilt_operations(*args: Any, **kwargs: Any) -> Any:
        api = add_api(*args, **kwargs)
        for endpoint, view in views.items():
            if isinstance(view, FlaskOperation):
                views[endpoint] = PrebuiltOperation(view)
        return api

    flask_asgi.add_api = add_api_with_prebuilt_operations
