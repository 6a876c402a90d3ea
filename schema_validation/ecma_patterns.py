"""JSON Schema validators whose `pattern` keywords are ECMA-262 regular expressions, as the specs say.

Python's `re` reads the same text differently: its `$` also matches before a final newline and its
`\\d` takes any Unicode digit, so `^[A-Z]{3}$` would accept "EUR\\n". regress is an ECMA-262 engine,
so every pattern of the spec, today's and tomorrow's, means what it means to a JavaScript client.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

import regress
from jsonschema import Draft4Validator, ValidationError
from jsonschema.protocols import Validator
from jsonschema.validators import extend

_BASE_ADDITIONAL_PROPERTIES = Draft4Validator.VALIDATORS["additionalProperties"]


@cache  # the patterns come from the loaded spec: a small, fixed set
def ecma_regex(pattern: str) -> regress.Regex:
    """The compiled pattern, with the `u` flag that JSON Schema prescribes; RegressError if invalid."""
    return regress.Regex(pattern, flags="u")


def matches(pattern: str, text: str) -> bool:
    return ecma_regex(pattern).find(text) is not None


def _pattern(validator: Validator, pattern: str, instance: Any, _schema: Any) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not matches(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(
    validator: Validator, patterns: dict[str, Any], instance: Any, _schema: Any
) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        for key, value in instance.items():
            if matches(pattern, key):
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


def _additional_properties(
    validator: Validator, allowed: Any, instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    patterns = schema.get("patternProperties")
    if not patterns or not validator.is_type(instance, "object"):
        yield from _BASE_ADDITIONAL_PROPERTIES(validator, allowed, instance, schema)
        return
    # jsonschema would match patternProperties with `re`: take out the keys an ECMA pattern
    # covers, and let it judge the rest as if there were no patterns.
    rest = {key: value for key, value in instance.items() if not any(matches(p, key) for p in patterns)}
    without_patterns = {name: value for name, value in schema.items() if name != "patternProperties"}
    yield from _BASE_ADDITIONAL_PROPERTIES(validator, allowed, rest, without_patterns)


def with_ecma_patterns(validator_class: type[Validator]) -> type[Validator]:
    """`validator_class` with every regular-expression keyword evaluated by ECMA-262 rules."""
    return extend(
        validator_class,
        {
            "pattern": _pattern,
            "patternProperties": _pattern_properties,
            "additionalProperties": _additional_properties,
        },
    )


EcmaDraft4Validator = with_ecma_patterns(Draft4Validator)
"""Draft 4 (the dialect of OpenAPI 3.0) with ECMA-262 patterns."""
