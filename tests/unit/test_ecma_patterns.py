"""Every pattern of the spec is an ECMA-262 regular expression, and validation reads it as one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from api.document_schemas import SpecDocumentSchemas
from app import load_spec
from schema_validation.ecma_patterns import EcmaDraft4Validator, ecma_regex

CHAIR = {"sku": "CHAIR-1", "name": "Oak chair", "price": {"amount_minor": 1, "currency": "EUR"}}


def patterns(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("pattern"), str):
            yield node["pattern"]
        for value in node.values():
            yield from patterns(value)
    elif isinstance(node, list):
        for value in node:
            yield from patterns(value)


def test_every_pattern_of_the_spec_compiles_as_ecma_262() -> None:
    found = set(patterns(load_spec()))
    assert len(found) >= 5
    for pattern in found:
        ecma_regex(pattern)  # raises RegressError otherwise


@pytest.mark.parametrize(
    ("pattern", "text", "valid"),
    [
        ("^[A-Z]{3}$", "EUR", True),
        ("^[A-Z]{3}$", "EUR\n", False),
        ("^\\d+$", "12", True),
        ("^\\d+$", "\u0661\u0662", False),  # Arabic-Indic digits: \d is ASCII in ECMA-262
        ("[$]", "a$b", True),
        ("^a\\$$", "a$", True),
        ("x", "axb", True),  # unanchored patterns match anywhere, as jsonschema's re.search did
    ],
)
def test_pattern_semantics_are_ecma_262(pattern: str, text: str, valid: bool) -> None:
    assert EcmaDraft4Validator({"type": "string", "pattern": pattern}).is_valid(text) is valid


def test_pattern_properties_and_additional_properties_use_the_same_rules() -> None:
    schema = {"type": "object", "patternProperties": {"^x-[a-z]+$": {"type": "string"}}, "additionalProperties": False}
    validator = EcmaDraft4Validator(schema)
    assert validator.is_valid({"x-a": "s"})
    assert not validator.is_valid({"x-a\n": "s"})
    assert not validator.is_valid({"x-a": 1})


def test_the_item_check_after_a_merge_patch_is_ecma_262_too() -> None:
    schemas = SpecDocumentSchemas(load_spec())
    assert schemas.problems("ItemInput", CHAIR) is None
    assert schemas.problems("ItemInput", {**CHAIR, "sku": "CHAIR-1\n"}) is not None
