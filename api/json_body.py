"""Parses request bodies as strict JSON (RFC 8259) within limits, so that no input reaches a parser limit."""

from __future__ import annotations

import json
import reprlib
from typing import Any, NoReturn

from connexion.exceptions import BadRequestProblem
from jsonschema import ValidationError

_SHORT = reprlib.Repr()
_SHORT.maxstring = 40
_SHORT.maxother = 40
_SHORT.maxlevel = 2


def parse_json(text: str, max_depth: int) -> Any:
    """The document in `text`; a 400 problem for anything that is not plain JSON within the limits."""
    try:
        document = json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        _too_deep(max_depth)
    except json.JSONDecodeError as exc:
        raise BadRequestProblem(detail=f"the body is not valid JSON: {exc}") from None
    except ValueError:
        # int() refuses numbers longer than sys.get_int_max_str_digits() (4300 digits).
        raise BadRequestProblem(detail="the body holds a number with too many digits") from None
    # Counting brackets is cheap and bounds the depth, so the walk runs only for rare bodies.
    if text.count("[") + text.count("{") > max_depth and _depth(document) > max_depth:
        _too_deep(max_depth)
    return document


def describe(error: ValidationError) -> str:
    """jsonschema's message with the offending value shortened, and where it is in the document."""
    message = error.message
    shown = repr(error.instance)
    if len(shown) > 60 and message.startswith(shown):
        message = _SHORT.repr(error.instance) + message[len(shown) :]
    where = ".".join(str(part) for part in error.path)
    return f"{message} - '{where}'" if where else message


def _no_constant(name: str) -> NoReturn:
    raise BadRequestProblem(detail=f"the body is not valid JSON: {name} is not a JSON number")


def _too_deep(max_depth: int) -> NoReturn:
    raise BadRequestProblem(detail=f"the body nests arrays or objects more than {max_depth} levels deep")


def _depth(document: Any) -> int:
    """Nesting depth without recursion: deep documents are exactly the ones that would overflow the stack."""
    deepest = 0
    pending = [(document, 1)]
    while pending:
        node, depth = pending.pop()
        if isinstance(node, dict):
            node = node.values()
        elif not isinstance(node, list):
            continue
        deepest = max(deepest, depth)
        pending.extend((child, depth + 1) for child in node if isinstance(child, dict | list))
    return deepest
