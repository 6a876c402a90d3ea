"""The schema evolution gate: FULL_TRANSITIVE compatibility, checked by the Apache Avro library.

FULL_TRANSITIVE means the current schema reads data written with every released version
(backward) and every released version reads data written with the current one (forward),
so consumers on any version and producers on any version keep understanding each other.
Only tests and release tooling import this module; the service does not need `avro`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from avro.compatibility import ReaderWriterCompatibilityChecker, SchemaCompatibilityType
from avro.schema import parse

from eventing.released_schemas import ReleasedSchema


def incompatibilities(reader: Mapping[str, Any], writer: Mapping[str, Any]) -> list[str]:
    """Why `reader` cannot read data written with `writer`; empty when it can."""
    result = ReaderWriterCompatibilityChecker().get_compatibility(parse(json.dumps(reader)), parse(json.dumps(writer)))
    if result.compatibility is SchemaCompatibilityType.compatible:
        return []
    return [f"{message} (at {', '.join(sorted(result.locations))})" for message in sorted(result.messages)]


def full_transitive_problems(current: Mapping[str, Any], released: Iterable[ReleasedSchema]) -> list[str]:
    """Every way `current` fails to be compatible, in both directions, with each released version."""
    problems = []
    for old in released:
        for problem in incompatibilities(current, old.schema.document):
            problems.append(f"the current schema cannot read v{old.version} data: {problem}")
        for problem in incompatibilities(old.schema.document, current):
            problems.append(f"v{old.version} cannot read data of the current schema: {problem}")
    return problems
