"""ASGI middleware answering a few routes that are not operations of the spec, ahead of Connexion."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.routing import Match, Route
from starlette.types import ASGIApp, Receive, Scope, Send


class ExtraRoutesMiddleware:
    """Hands a request that fully matches one of its routes to it; every other request goes on unchanged."""

    def __init__(self, app: ASGIApp, routes: Sequence[Route]) -> None:
        self.app = app
        self.routes = list(routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for route in self.routes:
                match, child_scope = route.matches(scope)
                if match is Match.FULL:
                    await route.handle({**scope, **child_scope}, receive, send)
                    return
        await self.app(scope, receive, send)
