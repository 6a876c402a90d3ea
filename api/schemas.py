"""Handlers of /v1/schemas: the Avro writer schemas that `ce-dataschema` URLs name."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from injector import Inject

from providers.schema_catalog import SchemaCatalog

COLLECTION = "/v1/schemas"
"""Where the writer schemas are served; every `ce-dataschema` URL points into it."""
# A fingerprint names one binary layout for good; only a schema's docs may still improve.
CACHE_CONTROL = {"Cache-Control": "public, max-age=86400"}


def search(catalog: Inject[SchemaCatalog]) -> dict[str, Any]:
    return {"schemas": [entry.summary() for entry in catalog.entries()]}


def read(fingerprint: str, catalog: Inject[SchemaCatalog]) -> Response:
    response = jsonify(catalog.document(fingerprint))
    response.headers.update(CACHE_CONTROL)
    return response
