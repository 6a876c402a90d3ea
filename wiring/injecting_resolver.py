"""Resolves operationIds to handlers whose `Inject[...]` parameters the injector fills."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from connexion.resolver import Resolver
from connexion.utils import get_function_from_name
from injector import Injector, get_bindings


class InjectingResolver(Resolver):
    """Connexion 3 calls handlers itself, so injection must wrap them at resolution time."""

    def __init__(self, injector: Injector) -> None:
        super().__init__(function_resolver=self._resolve)
        self._injector = injector

    def _resolve(self, operation_id: str) -> Callable[..., Any]:
        handler = get_function_from_name(operation_id)
        injector = self._injector
        # Only parameters marked Inject[...] are dependencies; the rest come from the request.
        # Read once here rather than on every call, as call_with_injection would.
        dependencies = get_bindings(handler)

        # functools.wraps keeps the signature, which Connexion reads to pick the spec's arguments.
        @functools.wraps(handler)
        def injected(*args: Any, **kwargs: Any) -> Any:
            for name, dependency in dependencies.items():
                if name not in kwargs:
                    kwargs[name] = injector.get(dependency)
            return handler(*args, **kwargs)

        return injected
