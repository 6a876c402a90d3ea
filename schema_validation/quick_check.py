"""Validation that answers a valid document with compiled code and leaves every explanation to jsonschema.

jsonschema walks the schema anew on every call, building the machinery of its error reports as it
goes: about 85 µs for an item. fastjsonschema compiles a schema once to plain Python that only says
yes or no, in about 5 µs. A yes is final; a no is handed to the reference validator, which raises
the very ValidationError (and so the very problem detail) clients got before, or accepts what the
compiled check was stricter about. The compiled check therefore must never accept what the
reference rejects: compiled_form.py rewrites the schema so that both read it alike, and
tests/unit/test_quick_check.py holds them to it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import fastjsonschema
from jsonschema.protocols import Validator
from regress import RegressError

from schema_validation.compiled_form import Unsupported, compiled_form

Check = Callable[[Any], bool]


def quick_check(schema: dict[str, Any], *, openapi_nullable: bool) -> Check | None:
    """A compiled yes-or-no check of `schema`; None if it cannot be exactly the reference's yes."""
    try:
        form = compiled_form(schema, openapi_nullable=openapi_nullable)
        compiled = fastjsonschema.compile(
            form.definition, formats=form.formats, use_default=False, detailed_exceptions=False
        )
    except (Unsupported, RegressError, fastjsonschema.JsonSchemaDefinitionException):
        return None

    def accepts(instance: Any) -> bool:
        try:
            compiled(instance)
        except fastjsonschema.JsonSchemaValueException:
            return False
        return True

    return accepts


class QuickCheckedValidator:
    """`validate` with the reference validator's outcome and errors, quick for valid documents."""

    def __init__(self, reference: Validator, check: Check | None) -> None:
        self.reference = reference
        self._check = check

    def validate(self, instance: Any) -> None:
        """Returns if `instance` is valid; raises the reference's ValidationError if not."""
        if self._check is None or not self._check(instance):
            self.reference.validate(instance)
