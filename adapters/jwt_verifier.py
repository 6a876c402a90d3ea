"""Verifies bearer JWTs against the configured key: a JWKS, a PEM public key, or the dev secret."""

from __future__ import annotations

import logging
from typing import Any

import jwt

from adapters.dev_signing_key import load_or_create_dev_secret
from settings import Settings

ASYMMETRIC_ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "ES384", "PS256"]
NUMERIC_DATE_CLAIMS = ("exp", "nbf", "iat")
log = logging.getLogger(__name__)


class JwtVerifier:
    """Returns the token's claims with its `scope`, or None when the token is not acceptable."""

    def __init__(self, settings: Settings) -> None:
        self._issuer = settings.auth_issuer
        self._audience = settings.auth_audience
        self._jwks = jwt.PyJWKClient(settings.auth_jwks_url, cache_keys=True) if settings.auth_jwks_url else None
        self._public_key = settings.auth_public_key
        self._dev_secret_file = settings.auth_dev_secret_file
        self._dev_secret: str | None = None
        if self._jwks is None and not self._public_key and settings.auth_enabled:
            # Fail at start, with the path in the error, rather than with 500s on the first request.
            self.dev_secret()

    def token_info(self, token: str) -> dict[str, Any] | None:
        try:
            key, algorithms = self._key_for(token)
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=algorithms,
                audience=self._audience,
                issuer=self._issuer,
                options={"require": ["exp", "iss", "aud", "sub"]},
                leeway=30,
            )
        except (jwt.PyJWTError, ValueError) as exc:
            log.info("rejected a bearer token: %s", type(exc).__name__)
            return None
        # PyJWT converts "9999999999" with int(); RFC 7519 says a NumericDate is a JSON number.
        if any(not _is_numeric_date(claims[name]) for name in NUMERIC_DATE_CLAIMS if name in claims):
            log.info("rejected a bearer token: a date claim is not a number")
            return None
        claims.setdefault("scope", "")
        return claims

    def _key_for(self, token: str) -> tuple[Any, list[str]]:
        if self._jwks is not None:
            return self._jwks.get_signing_key_from_jwt(token).key, ASYMMETRIC_ALGORITHMS
        if self._public_key:
            return self._public_key, ASYMMETRIC_ALGORITHMS
        return self.dev_secret(), ["HS256"]

    def dev_secret(self) -> str:
        if self._dev_secret is None:
            self._dev_secret = load_or_create_dev_secret(self._dev_secret_file)
        return self._dev_secret


def _is_numeric_date(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
