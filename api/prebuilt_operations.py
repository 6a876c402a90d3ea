"""Builds each operation's Connexion decorator stack once, where FlaskOperation rebuilds it per request.

Connexion 3.3's `FlaskOperation.fn` makes a new FlaskDecorator on every call, which re-reads the
handler's signature (`inspect.signature`), wraps it three times and parses the operation's
parameter definitions again: about 5% of a GET's CPU. The stack depends only on the operation,
which is fixed per Flask view, so it is built on the view's first request and kept.

Three per-request costs of that stack also go, without changing what a handler receives:
- a sync handler is called directly, where Connexion asks `asyncio.iscoroutinefunction` on every call;
- the files are read from the body only when it can hold any (`multipart/form-data`): for every
  other media type werkzeug's form parser finds none, after building its parser;
- the operation's body definition is looked up once per media type, where Connexion matches the
  media type against the spec's patterns (`fnmatch`) three times per request. The lookup returns
  the spec's own dict every time, so the kept one is the same object.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from typing import Any

from connexion import FlaskApp
from connexion.apps.flask import FlaskOperation
from connexion.context import operation as current_operation
from connexion.decorators import FlaskDecorator
from connexion.decorators.parameter import (
    SyncParameterDecorator,
    inspect_function_arguments,
    prep_kwargs,
    unwrap_decorators,
)
from connexion.frameworks.flask import Flask as FlaskFramework
from connexion.lifecycle import WSGIRequest
from connexion.operations import AbstractOperation
from connexion.uri_parsing import AbstractURIParser

FILES_MEDIA_TYPE = "multipart/form-data"
"""The one media type whose body werkzeug reads files from."""
KEPT_BODY_DEFINITIONS = 16
"""Media types whose body definition an operation keeps (media ranges let clients name many)."""


class PrebuiltOperation:
    """A Flask view doing what FlaskOperation does, with the decorated handler built once."""

    def __init__(self, operation: FlaskOperation) -> None:
        self._decorator = _LeanFlaskDecorator(pythonic_params=operation.pythonic_params, jsonifier=operation.jsonifier)
        self._handler: Callable[..., Any] = operation._fn
        self._built: tuple[AbstractURIParser, Callable[..., Any]] | None = None
        self.operation_id = operation.operation_id
        functools.update_wrapper(self, self._handler)

    def __call__(self, *_args: Any, **_kwargs: Any) -> Any:
        # Arguments come from the request, as in Connexion's wrapper, not from Flask's view args.
        if self._built is None:
            # Both read connexion.context.operation, which is only set during a request.
            _keep_body_definitions(current_operation._get_current_object())
            self._built = (self._decorator.uri_parser, self._decorator.decorate(self._handler))
        uri_parser, decorated = self._built
        return decorated(FlaskFramework.get_request(uri_parser=uri_parser))


class _FilesOnlyFromFormsParameterDecorator(SyncParameterDecorator):
    """Connexion's SyncParameterDecorator, reading files only from a body that can hold them."""

    def __call__(self, function: Callable[..., Any]) -> Callable[..., Any]:
        arguments, has_kwargs = inspect_function_arguments(unwrap_decorators(function))

        @functools.wraps(function)
        def wrapper(request: WSGIRequest) -> Any:
            body = self._maybe_get_body(request, arguments=arguments, has_kwargs=has_kwargs)
            files = request.files() if request.mimetype == FILES_MEDIA_TYPE else {}
            kwargs = prep_kwargs(
                request,
                request_body=body,
                files=files,
                arguments=arguments,
                has_kwargs=has_kwargs,
                sanitize=self.sanitize_fn,
            )
            return function(**kwargs)

        return wrapper


class _LeanFlaskDecorator(FlaskDecorator):
    @property
    def _parameter_decorator_cls(self) -> type[SyncParameterDecorator]:
        return _FilesOnlyFromFormsParameterDecorator

    @property
    def _sync_async_decorator(self) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        to_sync = super()._sync_async_decorator
        return lambda function: to_sync(function) if asyncio.iscoroutinefunction(function) else function


def _keep_body_definitions(operation: AbstractOperation) -> None:
    """Answer `operation.body_definition(media_type)` from the first lookup of each media type."""
    if not hasattr(operation.body_definition, "cache_info"):
        operation.body_definition = functools.lru_cache(maxsize=KEPT_BODY_DEFINITIONS)(operation.body_definition)


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
