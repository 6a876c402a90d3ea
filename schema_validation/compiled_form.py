"""A Draft 4 schema rewritten so that fastjsonschema evaluates it exactly as the reference validator does.

The reference is jsonschema's Draft 4 with ECMA-262 patterns (ecma_patterns.py) and, for request
bodies, Connexion's reading of OpenAPI's `nullable`. fastjsonschema differs in three places, so the
rewrite moves them where it can be exact:
- `pattern` it would match with Python's `re`: each becomes a custom format that regress evaluates
  (custom formats, like `pattern`, apply to strings only);
- `format` it checks with regular expressions of its own: every format name it knows is handed to
  jsonschema's format checker instead;
- `nullable` it ignores: a nullable schema's type (and enum) admits null, as Connexion's do.
Keywords that Draft 4 does not evaluate (description, example, default, readOnly, discriminator,
x-*) are left out. A keyword whose semantics differ and cannot be moved (`patternProperties`
matched with `re`, `multipleOf` on decimals) or a `$ref` makes the schema `Unsupported`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastjsonschema.draft04 import CodeGeneratorDraft04
from jsonschema import Draft4Validator

from schema_validation.ecma_patterns import ecma_regex

FormatCheck = Callable[[str], bool]

# Keywords evaluated as they stand by both validators: fastjsonschema's code for each was read
# against jsonschema's (bool is never a number, lengths count code points, enum and uniqueItems
# tell true from 1).
_SAME_MEANING = frozenset(
    {
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength",
        "minItems", "maxItems", "uniqueItems", "minProperties", "maxProperties", "required",
    }
)  # fmt: skip
_SUBSCHEMA = frozenset({"not"})
_SUBSCHEMA_OR_BOOL = frozenset({"additionalProperties", "additionalItems"})
_SUBSCHEMA_LISTS = frozenset({"allOf", "anyOf", "oneOf"})
_UNSUPPORTED = frozenset({"$ref", "patternProperties", "multipleOf"})


class Unsupported(ValueError):
    """The schema holds a keyword that the compiled form cannot evaluate exactly as the reference."""


@dataclass
class CompiledForm:
    """The rewritten schema and the custom formats it names."""

    definition: dict[str, Any]
    formats: dict[str, FormatCheck] = field(default_factory=dict)


def compiled_form(schema: dict[str, Any], *, openapi_nullable: bool) -> CompiledForm:
    """`schema` for fastjsonschema; `openapi_nullable` as the reference validator reads `nullable`."""
    form = CompiledForm({"$schema": "http://json-schema.org/draft-04/schema#"}, _reference_formats())
    form.definition.update(_Rewrite(form, openapi_nullable).schema(schema))
    return form


def _reference_formats() -> dict[str, FormatCheck]:
    checker = Draft4Validator.FORMAT_CHECKER
    names = set(checker.checkers) | set(CodeGeneratorDraft04.FORMAT_REGEXS) | {"regex"}

    def conforms(name: str) -> FormatCheck:
        return lambda text: checker.conforms(text, name)

    return {name: conforms(name) for name in names}


@dataclass
class _Rewrite:
    form: CompiledForm
    openapi_nullable: bool

    def schema(self, node: Any) -> Any:
        if not isinstance(node, dict):
            raise Unsupported(f"a schema must be an object, not {node!r}")
        if _UNSUPPORTED & node.keys():
            raise Unsupported(f"cannot compile {sorted(_UNSUPPORTED & node.keys())}")
        nullable = self.openapi_nullable and (node.get("x-nullable") is True or bool(node.get("nullable")))
        result: dict[str, Any] = {}
        all_of: list[Any] = []
        for keyword, value in node.items():
            if keyword in _SAME_MEANING or keyword == "format":
                result[keyword] = value
            elif keyword == "type":
                result[keyword] = _with_null(value) if nullable else value
            elif keyword == "enum":
                result[keyword] = _plain_enum(value) + ([None] if nullable else [])
            elif keyword == "pattern":
                all_of.append({"format": self._pattern_format(value)})
            elif keyword == "properties":
                result[keyword] = {name: self.schema(sub) for name, sub in value.items()}
            elif keyword == "dependencies":
                result[keyword] = {name: self._dependency(sub) for name, sub in value.items()}
            elif keyword == "items":
                result[keyword] = [self.schema(sub) for sub in value] if isinstance(value, list) else self.schema(value)
            elif keyword in _SUBSCHEMA_OR_BOOL:
                result[keyword] = value if isinstance(value, bool) else self.schema(value)
            elif keyword in _SUBSCHEMA:
                result[keyword] = self.schema(value)
            elif keyword in _SUBSCHEMA_LISTS:
                result[keyword] = [self.schema(sub) for sub in value]
        if all_of:
            result["allOf"] = result.get("allOf", []) + all_of
        return result

    def _dependency(self, value: Any) -> Any:
        """A schema dependency's schema, or a property dependency's list of names."""
        return value if isinstance(value, list) else self.schema(value)

    def _pattern_format(self, pattern: str) -> str:
        # A name of our own, not the pattern: fastjsonschema writes format names into its code.
        name = f"ecma-262 pattern {len(self.form.formats)}"
        regex = ecma_regex(pattern)
        self.form.formats[name] = lambda text: regex.find(text) is not None
        return name


def _with_null(declared: Any) -> Any:
    types = declared if isinstance(declared, list) else [declared]
    return types if "null" in types else [*types, "null"]


def _plain_enum(values: Any) -> list[Any]:
    # fastjsonschema writes each value into its code with repr(): only JSON values survive that.
    try:
        json.dumps(values, allow_nan=False)
    except ValueError:
        raise Unsupported(f"enum {values!r} holds a value that is not JSON") from None
    return list(values)
