"""Connexion validators that build each jsonschema validator once per schema, not once per request.

Connexion 3.3 constructs a new validator (and deep-copies each parameter's schema) on every
request; the schemas come from the loaded spec and never change, so one validator per schema
gives the same answers at a fraction of the cost.
"""

from __future__ import annotations

from typing import Any

from connexion.datastructures import MediaTypeDict
from connexion.json_schema import Draft4RequestValidator
from connexion.utils import is_null, is_nullable
from connexion.validators import VALIDATOR_MAP
from connexion.validators.json import JSONRequestBodyValidator
from connexion.validators.parameter import ParameterValidator
from jsonschema import Draft4Validator, ValidationError
from jsonschema.protocols import Validator

# Keyed by id(); the schema is kept alongside so that its id cannot be reused by another object.
_VALIDATORS: dict[int, tuple[dict[str, Any], Validator]] = {}


def _validator_for(schema: dict[str, Any], validator_class: type[Validator]) -> Validator:
    cached = _VALIDATORS.get(id(schema))
    if cached is None or cached[0] is not schema:
        cached = (schema, validator_class(schema, format_checker=Draft4Validator.FORMAT_CHECKER))
        _VALIDATORS[id(schema)] = cached
    return cached[1]


class CachedBodyValidator(JSONRequestBodyValidator):
    @property
    def _validator(self) -> Validator:
        return _validator_for(self._schema, Draft4RequestValidator)


class CachedParameterValidator(ParameterValidator):
    @staticmethod
    def validate_parameter(
        parameter_type: str, value: Any, param: dict[str, Any], param_name: str | None = None
    ) -> str | None:
        if value is None or (is_nullable(param) and is_null(value)):
            return ParameterValidator.validate_parameter(parameter_type, value, param, param_name)
        try:
            _validator_for(param.get("schema", param), Draft4Validator).validate(value)
        except ValidationError as exception:
            return str(exception)
        return None


def cached_validator_map() -> dict[str, Any]:
    body = MediaTypeDict({**VALIDATOR_MAP["body"], "*/*json": CachedBodyValidator})
    return {**VALIDATOR_MAP, "parameter": CachedParameterValidator, "body": body}
