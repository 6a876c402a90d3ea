"""Resolves operationIds to handlers whose `Inject[...]` parameters the injector fills."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from connexion.resolver import Resolver
from connexion.utils import get_function_from_name
from injector import Injector


class InjectingResolver(Resolver):
    """Connexion 3 calls handlers itself, so injection must wrap them at resolution time."""

    def __init__(self, injector: Injector) -> None:
        super().__init__(function_resolver=self._resolve)
        self._injector = injector

    def _resolve(self, operation_id: str) -> Callable[..., Any]:
        handler = get_function_from_name(operation_id)
        injector = self._injector

        # functools.wraps keeps the signature, which Connexion reads to pick the spec's arguments.
        @functools.wraps(handler)
        def injected(*args: Any, **kwargs: Any) -> Any:
            return injector.call_with_injection(handler, args=args, kwargs=kwargs)

        return injected
