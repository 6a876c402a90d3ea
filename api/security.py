"""Connexion security handler for `bearerAuth`: a verified JWT whose `scope` covers the operation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from connexion.exceptions import OAuthProblem, OAuthResponseProblem, OAuthScopeProblem
from connexion.lifecycle import ConnexionRequest
from connexion.security import NO_VALUE, BearerSecurityHandler

TokenInfo = Callable[[str], dict[str, Any] | None]


ANONYMOUS: dict[str, Any] = {"sub": "anonymous", "scope": "items:read items:write"}


def scoped_bearer_handlers(token_info: TokenInfo, enabled: bool = True) -> dict[str, type]:
    """The `security_map` for Connexion; the verifier comes from the injector, not a global name."""

    class ScopedBearerHandler(BearerSecurityHandler):
        """Connexion's bearer handler ignores scopes; the spec's per-operation scopes need checking."""

        def get_fn(self, security_scheme: dict[str, Any], required_scopes: list[str]) -> Callable[..., Any]:
            required = set(required_scopes or [])

            def verify(request: ConnexionRequest) -> Any:
                if not enabled:
                    return ANONYMOUS
                auth_type, token = self.get_auth_header_value(request)
                if auth_type != "bearer":
                    return NO_VALUE
                if not token:
                    raise OAuthProblem(detail="the bearer token is empty")
                info = token_info(token)
                if info is None:
                    raise OAuthResponseProblem(detail="the bearer token is not valid")
                granted = str(info.get("scope", "")).split()
                if not required <= set(granted):
                    raise OAuthScopeProblem(required_scopes=sorted(required), token_scopes=granted)
                return info

            return verify

    return {"bearer": ScopedBearerHandler}
