"""ASGI middleware that reads a request's Content-Type once, strictly, and hands on its canonical form.

Media types are case-insensitive (RFC 9110 8.3.1), but Connexion matches them case by case and
Flask only parses bodies it recognises, so `APPLICATION/JSON` slipped past validation. Here the
header becomes `type/subtype` in lower case before either sees it; a body without a media type,
or in a charset other than UTF-8 (JSON's only one, RFC 8259), gets 415. Which media types an
operation takes is still the spec's business, checked by Connexion's validation after this.
"""

from __future__ import annotations

import re

from connexion.exceptions import UnsupportedMediaTypeProblem
from starlette.types import ASGIApp, Receive, Scope, Send
from werkzeug.http import parse_options_header

_NAME = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"  # an RFC 9110 token
_MEDIA_TYPE = re.compile(rf"{_NAME}/{_NAME}")
_UTF8 = {"utf-8", "utf8"}


class ContentNegotiationMiddleware:
    """Sits after routing and security, so unknown paths and missing tokens are answered first."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope = _negotiated(scope)
        await self.app(scope, receive, send)


def _negotiated(scope: Scope) -> Scope:
    headers: list[tuple[bytes, bytes]] = scope["headers"]
    declared = [value for name, value in headers if name == b"content-type"]
    if not declared:
        if _has_body(headers):
            raise UnsupportedMediaTypeProblem(detail="the request has a body but no Content-Type")
        return scope
    if len(declared) > 1:
        raise UnsupportedMediaTypeProblem(detail="the request has more than one Content-Type")
    media_type, parameters = parse_options_header(declared[0].decode("latin-1"))
    if not _MEDIA_TYPE.fullmatch(media_type):
        raise UnsupportedMediaTypeProblem(detail="the Content-Type is not a media type")
    charset = parameters.get("charset")
    if charset is not None and charset.lower() not in _UTF8:
        raise UnsupportedMediaTypeProblem(detail="request bodies must be UTF-8")
    canonical = media_type.lower().encode("latin-1")
    rest = [(name, value) for name, value in headers if name != b"content-type"]
    return {**scope, "headers": [*rest, (b"content-type", canonical)]}


def _has_body(headers: list[tuple[bytes, bytes]]) -> bool:
    # BodyLimitMiddleware, further out, has given every chunked body a Content-Length.
    return any(name == b"content-length" and value.strip(b"0 ") for name, value in headers)
