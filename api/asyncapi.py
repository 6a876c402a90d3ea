"""The AsyncAPI document of the events, as YAML and as a browsable page."""

from __future__ import annotations

from flask import Response
from injector import Inject

from api.asyncapi_docs import AsyncApiDocs

YAML = "application/yaml"
# The AsyncAPI parser in the page compiles JSON Schemas into functions (ajv), which needs
# 'unsafe-eval'; everything else stays same-origin, and no script is inline.
PAGE_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-eval'; frame-ancestors 'none'"
)


def document(docs: Inject[AsyncApiDocs]) -> Response:
    return Response(docs.yaml, 200, mimetype=YAML)


def page(docs: Inject[AsyncApiDocs]) -> Response:
    return Response(docs.page, 200, {"Content-Security-Policy": PAGE_CSP}, mimetype="text/html")
