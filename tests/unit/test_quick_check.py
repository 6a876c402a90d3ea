"""The compiled check accepts exactly what the reference validator accepts, and rejections keep their words."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from connexion.spec import Specification
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft4Validator, ValidationError
from jsonschema.protocols import Validator

from api.cached_validators import EcmaRequestValidator, _request_validator_for
from api.json_body import describe
from app import load_spec
from schema_validation.ecma_patterns import EcmaDraft4Validator
from schema_validation.quick_check import Check, quick_check
from tests.api.test_items_api import CHAIR

SPEC = Specification.load(load_spec())
CONTROL = ["\n", "\r\n", "\r", "\t", "\x00", "\x1f", "\x7f", "\x85", "\u2028", "\ufeff", " ", "é", "\u0661", "😀"]
DEEP = 40  # past the body parser's limit of 32


def request_schemas() -> Iterator[tuple[str, dict[str, Any], type[Validator]]]:
    """Every schema the service validates requests with, as Connexion hands it to the validators."""
    for path, path_item in SPEC["paths"].items():
        for method, operation in path_item.items():
            if method == "parameters":
                continue
            for parameter in [*path_item.get("parameters", []), *operation.get("parameters", [])]:
                yield f"{method} {path} {parameter['name']}", parameter["schema"], EcmaDraft4Validator
            for media_type, content in operation.get("requestBody", {}).get("content", {}).items():
                yield f"{method} {path} {media_type}", content["schema"], EcmaRequestValidator


def distinct(schemas: Iterator[tuple[str, dict[str, Any], type[Validator]]]) -> list[Any]:
    """One of each schema: many operations share a parameter."""
    seen: dict[str, tuple[str, dict[str, Any], type[Validator]]] = {}
    for name, schema, validator_class in schemas:
        seen.setdefault(json.dumps([schema, validator_class.__name__], sort_keys=True), (name, schema, validator_class))
    return list(seen.values())


REQUEST_SCHEMAS = distinct(request_schemas())
IDS = [name for name, _schema, _class in REQUEST_SCHEMAS]


def reference(schema: dict[str, Any], validator_class: type[Validator]) -> Validator:
    return validator_class(schema, format_checker=Draft4Validator.FORMAT_CHECKER)


def openapi_nullable(validator_class: type[Validator]) -> bool:
    return validator_class is EcmaRequestValidator


_COMPILED: dict[str, tuple[Check, Validator, st.SearchStrategy[Any]]] = {}


def compiled(
    name: str, schema: dict[str, Any], validator_class: type[Validator]
) -> tuple[Check, Validator, st.SearchStrategy[Any]]:
    """The check, the reference validator and the documents of `schema`, built once rather than per example."""
    if name not in _COMPILED:
        check = quick_check(schema, openapi_nullable=openapi_nullable(validator_class))
        assert check is not None
        _COMPILED[name] = check, reference(schema, validator_class), near(schema)
    return _COMPILED[name]


def nested(depth: int) -> Any:
    document: Any = "x"
    for level in range(depth):
        document = [document] if level % 2 else {"k": document}
    return document


ANY_JSON = st.one_of(
    st.recursive(
        st.none()
        | st.booleans()
        | st.integers()
        | st.integers(min_value=2**53 - 2, max_value=2**200)
        | st.floats(allow_nan=False)
        | st.text(max_size=6),
        lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=3),
        max_leaves=8,
    ),
    st.integers(1, DEEP).map(nested),
)


def mostly(likely: st.SearchStrategy[Any], *unlikely: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """`likely` about six times as often as all of `unlikely` together, so that valid documents are common."""
    choices = [likely] * (6 * len(unlikely)) + list(unlikely)
    return st.sampled_from(choices).flatmap(lambda chosen: chosen)


def strings(schema: dict[str, Any]) -> st.SearchStrategy[str]:
    pattern, longest = schema.get("pattern"), schema.get("maxLength", 12)
    # Python's reading of the spec's patterns is close enough to generate near-valid text.
    text = st.from_regex(pattern.rstrip("$"), fullmatch=True) if pattern else st.text(max_size=longest)
    shortest = schema.get("minLength", 0)
    valid = text.map(lambda value: (value + "a" * shortest)[: schema.get("maxLength", len(value) + shortest)])
    # A character before, inside or after valid text; "EUR\n" is what Python's `$` would let through.
    spoiled = st.tuples(valid, st.sampled_from(CONTROL), st.sampled_from([0, 1, None])).map(
        lambda parts: parts[0][: parts[2]] + parts[1] + (parts[0][parts[2] :] if parts[2] is not None else "")
    )
    trailing_newline = valid.map(lambda value: value + "\n")
    return mostly(valid, trailing_newline, spoiled, st.sampled_from(["", "x" * longest, "x" * (longest + 1)]))


def integers(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    low, high = schema.get("minimum", -(2**63)), schema.get("maximum", 2**63)
    edges = [low - 1, low, high, high + 1, 2**200, -(2**200), float(low), float(high) * 2, True, False]
    return mostly(st.integers(low, high), st.sampled_from(edges))


def near(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Documents shaped like `schema`, valid or spoiled at one or more places."""
    kind = schema.get("type")
    shaped: st.SearchStrategy[Any]
    if kind == "object":
        properties = schema.get("properties", {})
        required = {name: near(properties[name]) for name in schema.get("required", []) if name in properties}
        optional = {name: near(sub) for name, sub in properties.items() if name not in required}
        extras = st.dictionaries(st.sampled_from(["extra", "sku\n", "", "price"]), ANY_JSON, max_size=1)
        shaped = mostly(
            st.fixed_dictionaries(required, optional=optional),
            st.fixed_dictionaries({}, optional={**required, **optional}),
            st.tuples(st.fixed_dictionaries(required, optional=optional), extras).map(lambda d: {**d[1], **d[0]}),
        )
    elif kind == "array":
        items = near(schema["items"]) if isinstance(schema.get("items"), dict) else ANY_JSON
        most = schema.get("maxItems", 3)
        shaped = mostly(
            st.lists(items, max_size=min(most, 4)),
            st.lists(items, min_size=1, max_size=3).map(lambda values: values + values[:1]),
            st.lists(items, min_size=most + 1, max_size=most + 1),
        )
    elif kind == "string":
        shaped = strings(schema)
    elif kind == "integer":
        shaped = integers(schema)
    else:
        shaped = ANY_JSON
    return mostly(shaped, st.none(), ANY_JSON) if kind else shaped


# Keywords the spec does not use today, each as the compiled form reads it.
OTHER_SCHEMAS: list[dict[str, Any]] = [
    {"type": "string", "format": "email"},
    {"format": "ipv4"},
    {"type": "string", "format": "date-time"},
    {"type": "string", "format": "uri"},
    {"enum": [1, "a", None, True, [1], {"a": 1}]},
    {"type": "string", "enum": ["a", "b"], "nullable": True},
    {"type": "array", "uniqueItems": True},
    {"type": "number", "minimum": 0, "exclusiveMinimum": True, "maximum": 10, "exclusiveMaximum": True},
    {"anyOf": [{"type": "integer"}, {"type": "string", "pattern": "^a$"}]},
    {"oneOf": [{"type": "integer"}, {"type": "number"}]},
    {"not": {"type": "object"}},
    {"type": "object", "minProperties": 1, "maxProperties": 2, "additionalProperties": {"type": "boolean"}},
    {"type": "array", "items": [{"type": "integer"}, {"type": "string"}], "additionalItems": False},
    {"type": "object", "dependencies": {"a": ["b"], "c": {"required": ["d"]}}},
    {"type": "object", "properties": {"a": {"type": "string", "x-nullable": True}}, "readOnly": True},
]


@pytest.mark.parametrize(("name", "schema", "validator_class"), REQUEST_SCHEMAS, ids=IDS)
def test_every_request_schema_of_the_spec_compiles(name: str, schema: dict[str, Any], validator_class: Any) -> None:
    assert quick_check(schema, openapi_nullable=openapi_nullable(validator_class)) is not None, name


@pytest.mark.parametrize(("name", "schema", "validator_class"), REQUEST_SCHEMAS, ids=IDS)
@settings(max_examples=300, deadline=None, derandomize=True)
@given(data=st.data())
def test_the_check_accepts_what_the_reference_accepts(
    name: str, schema: dict[str, Any], validator_class: type[Validator], data: st.DataObject
) -> None:
    check, expected, documents = compiled(name, schema, validator_class)
    document = data.draw(documents)
    assert check(document) is expected.is_valid(document), json.dumps(document)[:200]


@pytest.mark.parametrize("schema", OTHER_SCHEMAS, ids=[json.dumps(schema) for schema in OTHER_SCHEMAS])
@settings(max_examples=200, deadline=None, derandomize=True)
@given(data=st.data())
def test_the_check_follows_the_reference_for_other_keywords(schema: dict[str, Any], data: st.DataObject) -> None:
    check, expected, documents = compiled(json.dumps(schema), schema, EcmaRequestValidator)
    document = data.draw(st.one_of(documents, ANY_JSON, st.sampled_from(["a@b", "1.2.3.4", "2024-01-01T00:00:00Z"])))
    assert check(document) is expected.is_valid(document), repr(document)


def item_input() -> dict[str, Any]:
    """ItemInput as Connexion hands it to the body validator: with the spec's components beside it."""
    content = SPEC["paths"]["/v1/items"]["post"]["requestBody"]["content"]
    return {**content["application/json"]["schema"], "components": SPEC["components"]}


@pytest.mark.parametrize(
    "spoiled",
    [{"sku": "X-1\n"}, {"price": {"amount_minor": 1, "currency": "EUR\n"}}, {"quantity": 2**64}, {"tags": ["a", "a"]}],
)
def test_the_check_alone_rejects_what_ecma_262_and_the_limits_reject(spoiled: dict[str, Any]) -> None:
    check = quick_check(item_input(), openapi_nullable=True)
    assert check is not None
    assert check(CHAIR)
    assert not check({**CHAIR, **spoiled})


@pytest.mark.parametrize(
    "document",
    [{**CHAIR, "sku": "X-1\n"}, {**CHAIR, "extra": 1}, {"name": "n"}, {**CHAIR, "tags": ["x" * 100]}, [], None],
)
def test_a_rejection_keeps_the_reference_validators_error(document: Any) -> None:
    schema = item_input()
    with pytest.raises(ValidationError) as expected:
        reference(schema, EcmaRequestValidator).validate(document)
    with pytest.raises(ValidationError) as raised:
        _request_validator_for(schema, EcmaRequestValidator).validate(document)
    assert describe(raised.value) == describe(expected.value)


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "object", "patternProperties": {"^x$": {}}},
        {"type": "number", "multipleOf": 0.1},
        {"properties": {"a": {"$ref": "#/definitions/a"}}, "definitions": {"a": {}}},
        {"type": "string", "pattern": "(?<"},
    ],
)
def test_a_schema_the_compiled_form_cannot_match_exactly_gets_no_check(schema: dict[str, Any]) -> None:
    assert quick_check(schema, openapi_nullable=True) is None


def test_a_schema_without_a_check_is_left_to_the_reference() -> None:
    validator = _request_validator_for({"type": "number", "multipleOf": 0.1}, EcmaRequestValidator)
    validator.validate(0.5)
    with pytest.raises(ValidationError):
        validator.validate(0.55)


def test_nullable_is_read_only_where_the_reference_reads_it() -> None:
    schema = {"type": "string", "nullable": True}
    for openapi_nullable_read, accepted in [(True, True), (False, False)]:
        check = quick_check(schema, openapi_nullable=openapi_nullable_read)
        assert check is not None
        assert check(None) is accepted
