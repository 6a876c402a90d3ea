"""Connexion validators: one validator per schema, compiled for requests, ECMA-262 patterns, strict JSON bodies.

Connexion 3.3 constructs a new validator (and deep-copies each parameter's schema) on every
request; the schemas come from the loaded spec and never change, so one validator per schema
gives the same answers at a fraction of the cost. Requests, validated on every call, also get a
compiled check that passes valid ones in microseconds (schema_validation/quick_check.py); the
jsonschema validator still decides, and words, every rejection. Every validator here reads
`pattern` as the ECMA-262 regular expression the OpenAPI document means, for bodies, parameters
and responses.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from typing import Any, Generic, TypeVar

from connexion.datastructures import MediaTypeDict
from connexion.exceptions import BadRequestProblem
from connexion.json_schema import Draft4RequestValidator, Draft4ResponseValidator
from connexion.utils import is_null, is_nullable
from connexion.validators import VALIDATOR_MAP
from connexion.validators.json import (
    JSONRequestBodyValidator,
    JSONResponseBodyValidator,
    TextResponseBodyValidator,
)
from connexion.validators.parameter import ParameterValidator
from jsonschema import Draft4Validator, ValidationError
from jsonschema.protocols import Validator
from starlette.types import Scope

from api.json_body import describe, parse_json
from schema_validation.ecma_patterns import EcmaDraft4Validator, with_ecma_patterns
from schema_validation.quick_check import QuickCheckedValidator, quick_check

EcmaRequestValidator = with_ecma_patterns(Draft4RequestValidator)
EcmaResponseValidator = with_ecma_patterns(Draft4ResponseValidator)

_V = TypeVar("_V")


class _PerSchema(Generic[_V]):
    """Builds a value once per (schema, validator class)."""

    def __init__(self, build: Callable[[dict[str, Any], type[Validator]], _V]) -> None:
        self._build = build
        # Keyed by id(); the schema is kept alongside so that its id cannot be reused by another object.
        self._built: dict[tuple[int, type[Validator]], tuple[dict[str, Any], _V]] = {}

    def __call__(self, schema: dict[str, Any], validator_class: type[Validator]) -> _V:
        key = (id(schema), validator_class)
        cached = self._built.get(key)
        if cached is None or cached[0] is not schema:
            cached = self._built[key] = (schema, self._build(schema, validator_class))
        return cached[1]


def _reference(schema: dict[str, Any], validator_class: type[Validator]) -> Validator:
    return validator_class(schema, format_checker=Draft4Validator.FORMAT_CHECKER)


def _quick_checked(schema: dict[str, Any], validator_class: type[Validator]) -> QuickCheckedValidator:
    # Connexion's request validator reads OpenAPI's `nullable`; plain Draft 4 (parameters) does not.
    check = quick_check(schema, openapi_nullable=validator_class is EcmaRequestValidator)
    return QuickCheckedValidator(_validator_for(schema, validator_class), check)


_validator_for = _PerSchema(_reference)
_request_validator_for = _PerSchema(_quick_checked)


class CachedBodyValidator(JSONRequestBodyValidator):
    """Parses with `parse_json` (depth, number and constant limits) and reports errors briefly."""

    max_depth = 32

    @property
    def _validator(self) -> QuickCheckedValidator:
        return _request_validator_for(self._schema, EcmaRequestValidator)

    async def _parse(self, stream: AsyncGenerator[bytes, None], scope: Scope) -> Any:
        text = b"".join([chunk async for chunk in stream]).decode(self._encoding)
        return parse_json(text, self.max_depth) if text else None

    def _validate(self, body: Any) -> dict[str, Any] | None:
        if not self._nullable and body is None:
            raise BadRequestProblem("Request body must not be empty")
        try:
            self._validator.validate(body)
        except ValidationError as error:
            raise BadRequestProblem(detail=describe(error)) from None
        return None


class CachedResponseValidator(JSONResponseBodyValidator):
    @property
    def validator(self) -> Draft4Validator:
        return _validator_for(self._schema, EcmaResponseValidator)


class CachedTextResponseValidator(CachedResponseValidator, TextResponseBodyValidator):
    pass


class CachedParameterValidator(ParameterValidator):
    @staticmethod
    def validate_parameter(
        parameter_type: str, value: Any, param: dict[str, Any], param_name: str | None = None
    ) -> str | None:
        if value is None or (is_nullable(param) and is_null(value)):
            return ParameterValidator.validate_parameter(parameter_type, value, param, param_name)
        try:
            _request_validator_for(param.get("schema", param), EcmaDraft4Validator).validate(value)
        except ValidationError as exception:
            return describe(exception)
        return None


def cached_validator_map(max_json_depth: int) -> dict[str, Any]:
    body_validator = type("BodyValidator", (CachedBodyValidator,), {"max_depth": max_json_depth})
    body = MediaTypeDict({**VALIDATOR_MAP["body"], "*/*json": body_validator})
    response = MediaTypeDict({"*/*json": CachedResponseValidator, "text/plain": CachedTextResponseValidator})
    return {**VALIDATOR_MAP, "parameter": CachedParameterValidator, "body": body, "response": response}
