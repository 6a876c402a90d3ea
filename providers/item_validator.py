"""Checks a whole item document against the spec's `ItemInput` schema (used after a merge patch)."""

from __future__ import annotations

from typing import Any

from referencing import Registry
from referencing.jsonschema import DRAFT4

from domain.errors import InvalidItem
from schema_validation.ecma_patterns import EcmaDraft4Validator

_SPEC_URI = "urn:items-service:openapi"


class ItemValidator:
    """Uses the very schema Connexion applies to POST bodies, so the two never drift apart."""

    def __init__(self, spec: dict[str, Any]) -> None:
        registry: Registry = Registry().with_resource(_SPEC_URI, DRAFT4.create_resource(spec))
        schema = {"$ref": f"{_SPEC_URI}#/components/schemas/ItemInput"}
        # The spec's patterns are ECMA-262 regular expressions, as in Connexion's validation.
        self._validator = EcmaDraft4Validator(schema, registry=registry)

    def check(self, document: dict[str, Any]) -> None:
        error = next(iter(sorted(self._validator.iter_errors(document), key=str)), None)
        if error is not None:
            where = "/".join(str(part) for part in error.absolute_path) or "(document)"
            raise InvalidItem(f"after the patch, {where}: {error.message}")
