"""The evolution gate: every current schema is released and FULL_TRANSITIVE compatible with every released one."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastavro import parse_schema

from eventing.compatibility import full_transitive_problems, incompatibilities
from eventing.released_schemas import ReleasedSchema, load_released, release, unreleased
from eventing.schema_registry import RegisteredSchema, SchemaRegistry
from wiring.contract import RELEASED_SCHEMAS_DIR

Edit = Callable[[list[dict[str, Any]]], None]


def evolved(registry: SchemaRegistry, edit: Edit, event_type: str = "ItemUpdated") -> dict[str, Any]:
    """A copy of the current schema of `event_type` with `edit` applied to the ItemState fields."""
    document = copy.deepcopy(registry.writer(event_type).document)
    edit(document["fields"][0]["type"]["fields"])
    return document


def as_released(document: dict[str, Any], version: int = 1) -> ReleasedSchema:
    return ReleasedSchema(version, RegisteredSchema.from_parsed(parse_schema(document)))


def drop(name: str) -> Edit:
    return lambda fields: fields.remove(next(field for field in fields if field["name"] == name))


def retype(name: str, avro_type: Any) -> Edit:
    return lambda fields: next(field for field in fields if field["name"] == name).update(type=avro_type)


def add(field: dict[str, Any]) -> Edit:
    return lambda fields: fields.append(field)


def test_every_current_schema_is_released(registry: SchemaRegistry) -> None:
    missing = [schema.full_name for schema in unreleased(registry.schemas(), load_released(RELEASED_SCHEMAS_DIR))]
    assert not missing, f"run `python -m entrypoints.release_schemas` and commit the new files: {missing}"


def test_every_current_schema_is_full_transitive_compatible_with_its_releases(registry: SchemaRegistry) -> None:
    released = load_released(RELEASED_SCHEMAS_DIR)
    for schema in registry.schemas():
        assert released.get(schema.full_name), f"{schema.full_name} has no released version"
        problems = full_transitive_problems(schema.document, released[schema.full_name])
        assert not problems, f"{schema.full_name} breaks its released versions:\n" + "\n".join(problems)


def test_released_files_are_self_contained(registry: SchemaRegistry) -> None:
    for path in RELEASED_SCHEMAS_DIR.glob("*/v*.avsc"):
        parse_schema(json.loads(path.read_text(encoding="utf-8")))  # no named type from elsewhere


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(drop("sku"), id="a field without default removed"),
        pytest.param(retype("name", "int"), id="a string field made an int"),
        pytest.param(retype("quantity", "int"), id="a long narrowed to an int"),
        pytest.param(add({"name": "colour", "type": "string"}), id="a field added without default"),
        pytest.param(retype("description", "string"), id="a nullable field made required"),
    ],
)
def test_the_gate_flags_an_incompatible_change(registry: SchemaRegistry, edit: Edit) -> None:
    current = registry.writer("ItemUpdated").document
    assert full_transitive_problems(evolved(registry, edit), [as_released(current)])


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(add({"name": "colour", "type": ["null", "string"], "default": None}), id="an optional field"),
        pytest.param(drop("description"), id="a field with a default removed"),
        pytest.param(lambda fields: fields[0].update(doc="Reworded."), id="a doc reworded"),
    ],
)
def test_the_gate_passes_a_compatible_change(registry: SchemaRegistry, edit: Edit) -> None:
    current = registry.writer("ItemUpdated").document
    assert full_transitive_problems(evolved(registry, edit), [as_released(current)]) == []


def test_the_gate_checks_every_released_version_not_just_the_last(registry: SchemaRegistry) -> None:
    v1 = registry.writer("ItemUpdated").document
    v2 = evolved(registry, add({"name": "colour", "type": ["null", "string"], "default": None}))
    # Dropping the default is fine next to v2, whose data always has `colour`, but not next to v1.
    v3 = evolved(registry, add({"name": "colour", "type": ["null", "string"]}))
    assert full_transitive_problems(v3, [as_released(v2, 2)]) == []
    problems = full_transitive_problems(v3, [as_released(v1, 1), as_released(v2, 2)])
    assert problems and all("v1" in problem and "colour" in problem for problem in problems)


def test_a_problem_says_which_direction_and_where(registry: SchemaRegistry) -> None:
    current = registry.writer("ItemUpdated").document
    changed = evolved(registry, add({"name": "colour", "type": "string"}))
    assert incompatibilities(current, changed) == []  # the old reader skips the new field
    problems = incompatibilities(changed, current)
    assert len(problems) == 1 and "colour" in problems[0]


def test_release_snapshots_only_changed_schemas_as_the_next_version(registry: SchemaRegistry, tmp_path: Path) -> None:
    current = registry.schemas()
    assert sorted(path.name for path in release(current, tmp_path)) == ["v1.avsc"] * len(current)
    assert release(current, tmp_path) == []

    changed = evolved(registry, add({"name": "colour", "type": ["null", "string"], "default": None}))
    schema = RegisteredSchema.from_parsed(parse_schema(changed))
    [path] = release([schema], tmp_path)
    assert path == tmp_path / "items.v1.ItemUpdated" / "v2.avsc"
    versions = load_released(tmp_path)["items.v1.ItemUpdated"]
    assert [version.version for version in versions] == [1, 2]
    assert versions[1].schema.fingerprint == schema.fingerprint


def test_a_gap_in_the_released_versions_is_refused(registry: SchemaRegistry, tmp_path: Path) -> None:
    [path, *_] = release(registry.schemas(), tmp_path)
    path.rename(path.with_name("v2.avsc"))
    with pytest.raises(ValueError, match="without gaps"):
        load_released(tmp_path)
