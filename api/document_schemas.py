"""The spec's component schemas as `DocumentSchemas`: a whole document checked after a merge patch."""

from __future__ import annotations

from typing import Any

from jsonschema.protocols import Validator
from referencing import Registry
from referencing.jsonschema import DRAFT4

from providers.ports import DocumentSchemas
from schema_validation.ecma_patterns import EcmaDraft4Validator

_SPEC_URI = "urn:items-service:openapi"


class SpecDocumentSchemas(DocumentSchemas):
    """Uses the very schemas Connexion applies to request bodies, so the two never drift apart."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self._registry: Registry = Registry().with_resource(_SPEC_URI, DRAFT4.create_resource(spec))
        self._validators: dict[str, Validator] = {}

    def problems(self, schema: str, document: dict[str, Any]) -> str | None:
        validator = self._validators.get(schema)
        if validator is None:
            reference = {"$ref": f"{_SPEC_URI}#/components/schemas/{schema}"}
            # The spec's patterns are ECMA-262 regular expressions, as in Connexion's validation.
            validator = self._validators[schema] = EcmaDraft4Validator(reference, registry=self._registry)
        error = next(iter(sorted(validator.iter_errors(document), key=str)), None)
        if error is None:
            return None
        where = "/".join(str(part) for part in error.absolute_path) or "(document)"
        return f"{where}: {error.message}"
