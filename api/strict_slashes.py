"""ASGI middleware: a path with a trailing slash is a different resource, and there is none."""

from __future__ import annotations

from connexion.exceptions import ClientProblem
from starlette.types import ASGIApp, Receive, Scope, Send


class StrictSlashesMiddleware:
    """Starlette's router would answer `/v1/items/` with a bare 307; the spec has no such path.

    It sits after Swagger UI's middleware, which serves `/ui/` itself.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and len(path) > 1 and path.endswith("/"):
            raise ClientProblem(404, "Not Found", detail=f"no resource at {path}; paths have no trailing slash")
        await self.app(scope, receive, send)
