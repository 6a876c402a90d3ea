"""The development token endpoint: OAuth 2 client credentials, signed with the local dev secret.

It runs only while the service verifies tokens with that secret. Its client secret is derived from
the signing secret, so it grants nothing that reading the secret file does not already give.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import time
import uuid
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote_plus

import jwt
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

DEV_TOKEN_PATH = "/dev/token"  # noqa: S105 - a path, not a password
FORM = "application/x-www-form-urlencoded"
MAX_CLIENT_ID_CHARS = 200
log = logging.getLogger(__name__)


def mint(secret: str, issuer: str, audience: str, scopes: str, subject: str, ttl_s: int) -> str:
    """A signed HS256 JWT with the claims the verifier requires."""
    now = int(time.time())
    claims = {
        "iss": issuer,
        "aud": audience,
        "sub": subject,
        "scope": scopes,
        "iat": now,
        "exp": now + ttl_s,
        "jti": str(uuid.uuid4()),
    }
    return jwt.encode(claims, secret, algorithm="HS256")


def dev_client_secret(signing_secret: str) -> str:
    """The endpoint's client secret: derived, so that the signing secret itself never goes over the wire."""
    return hmac.new(signing_secret.encode(), b"dev token endpoint client secret", hashlib.sha256).hexdigest()


class DevTokenEndpoint:
    """Answers `grant_type=client_credentials` (RFC 6749 section 4.4); the client id becomes the token's `sub`."""

    def __init__(self, signing_secret: str, issuer: str, audience: str, scopes: Sequence[str], ttl_s: int = 3600):
        self._signing_secret = signing_secret
        self._client_secret = dev_client_secret(signing_secret)
        self._issuer = issuer
        self._audience = audience
        self._scopes = list(scopes)
        self._ttl_s = ttl_s

    def route(self) -> Route:
        return Route(DEV_TOKEN_PATH, self.issue, methods=["POST"])

    async def issue(self, request: Request) -> Response:
        if request.headers.get("content-type", "").split(";")[0].strip().lower() != FORM:
            return _oauth_error(400, "invalid_request", f"the body must be {FORM}")
        form = await request.form()
        client_id, client_secret = _client_credentials(request, {k: str(v) for k, v in form.items()})
        if form.get("grant_type") != "client_credentials":
            return _oauth_error(400, "unsupported_grant_type", "only grant_type=client_credentials is supported")
        if not client_id or len(client_id) > MAX_CLIENT_ID_CHARS or not client_id.isprintable():
            return _oauth_error(400, "invalid_request", f"client_id must be 1-{MAX_CLIENT_ID_CHARS} printable chars")
        if not hmac.compare_digest(client_secret.encode(), self._client_secret.encode()):
            log.info("the dev token endpoint refused a client secret")
            challenge = {"WWW-Authenticate": 'Basic realm="dev-token"'}
            return _oauth_error(401, "invalid_client", "the client secret is not this instance's", challenge)
        requested = str(form.get("scope", "")).split() or self._scopes
        unknown = sorted(set(requested) - set(self._scopes))
        if unknown:
            return _oauth_error(400, "invalid_scope", f"unknown scopes {unknown}; the spec declares {self._scopes}")
        scope = " ".join(dict.fromkeys(requested))
        token = mint(self._signing_secret, self._issuer, self._audience, scope, client_id, self._ttl_s)
        body = {"access_token": token, "token_type": "Bearer", "expires_in": self._ttl_s, "scope": scope}
        return JSONResponse(body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


def _client_credentials(request: Request, form: dict[str, str]) -> tuple[str, str]:
    """HTTP Basic (client_secret_basic), else the form fields (client_secret_post)."""
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return "", ""
        client_id, _, client_secret = decoded.partition(":")
        return unquote_plus(client_id), unquote_plus(client_secret)
    return form.get("client_id", ""), form.get("client_secret", "")


def _oauth_error(status: int, error: str, description: str, headers: dict[str, str] | None = None) -> Response:
    """A problem document that also carries RFC 6749's `error` members, which OAuth clients read."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": description,
        "error": error,
        "error_description": description,
    }
    return JSONResponse(body, status, headers, media_type="application/problem+json")
