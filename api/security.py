"""Connexion security handler for the spec's OAuth 2 scheme: a verified JWT whose `scope` covers the operation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from connexion.security import OAuthSecurityHandler

TokenInfo = Callable[[str], dict[str, Any] | None]


def scoped_token_handlers(token_info: TokenInfo, enabled: bool = True) -> dict[str, type]:
    """The `security_map` for Connexion; the verifier comes from the injector, not a name in the spec."""

    class VerifiedTokenHandler(OAuthSecurityHandler):
        """Connexion's OAuth 2 handler (401 without a valid token, 403 without the scopes), verifying JWTs here."""

        def get_tokeninfo_func(self, security_definition: dict[str, Any]) -> TokenInfo:
            # Instead of an `x-tokenInfoFunc` the spec would have to name, or a token-info URL per request.
            return token_info

        def get_fn(self, security_scheme: dict[str, Any], required_scopes: list[str]) -> Callable[..., Any]:
            if not enabled:
                anonymous = {"sub": "anonymous", "scope": " ".join(required_scopes or [])}
                return lambda _request: anonymous
            return super().get_fn(security_scheme, required_scopes)

    return {"oauth2": VerifiedTokenHandler}
