"""The evolution gate, on schemas of its own; and today's schemas, all released and compatible."""

from __future__ import annotations

import copy
import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from entrypoints.release_schemas import EXIT_REFUSED
from entrypoints.release_schemas import main as release_schemas
from eventing.compatibility import full_transitive_problems, incompatibilities
from eventing.released_schemas import RELEASED_DIR_NAME, ReleasedSchema, load_released, release, unreleased
from eventing.schema_registry import SchemaRegistry
from items_events.schemas import RegisteredSchema
from wiring.contract import RELEASED_SCHEMAS_DIR
from wiring.messaging import SCHEMAS_DIR

Edit = Callable[[list[dict[str, Any]]], None]
THING = "gate.v1.Thing"
# A record of the gate tests' own: whatever today's schemas hold, these cases stay the same.
THING_V1: dict[str, Any] = {
    "type": "record",
    "name": "Thing",
    "namespace": "gate.v1",
    "fields": [
        {"name": "id", "type": "string"},
        {"name": "count", "type": "long"},
        {"name": "note", "type": ["null", "string"], "default": None},
        {"name": "tags", "type": {"type": "array", "items": "string"}, "default": []},
    ],
}


def evolved(edit: Edit, base: dict[str, Any] = THING_V1) -> dict[str, Any]:
    document = copy.deepcopy(base)
    edit(document["fields"])
    return document


def released(document: dict[str, Any], version: int = 1) -> ReleasedSchema:
    return ReleasedSchema(version, RegisteredSchema.from_document(document))


def drop(name: str) -> Edit:
    return lambda fields: fields.remove(next(field for field in fields if field["name"] == name))


def retype(name: str, avro_type: Any) -> Edit:
    return lambda fields: next(field for field in fields if field["name"] == name).update(type=avro_type)


def add(field: dict[str, Any]) -> Edit:
    return lambda fields: fields.append(field)


OPTIONAL_COLOUR = add({"name": "colour", "type": ["null", "string"], "default": None})


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(drop("count"), id="a field without default removed"),
        pytest.param(retype("id", "int"), id="a string field made an int"),
        pytest.param(retype("count", "int"), id="a long narrowed to an int"),
        pytest.param(add({"name": "colour", "type": "string"}), id="a field added without default"),
        pytest.param(retype("note", "string"), id="a nullable field made required"),
    ],
)
def test_the_gate_flags_an_incompatible_change(edit: Edit) -> None:
    assert full_transitive_problems(evolved(edit), [released(THING_V1)])


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(OPTIONAL_COLOUR, id="an optional field"),
        pytest.param(drop("note"), id="a field with a default removed"),
        pytest.param(lambda fields: fields[0].update(doc="Reworded."), id="a doc reworded"),
    ],
)
def test_the_gate_passes_a_compatible_change(edit: Edit) -> None:
    assert full_transitive_problems(evolved(edit), [released(THING_V1)]) == []


def test_the_gate_checks_every_released_version_not_just_the_last() -> None:
    v2 = evolved(OPTIONAL_COLOUR)
    # Dropping the default is fine next to v2, whose data always has `colour`, but not next to v1.
    v3 = evolved(add({"name": "colour", "type": ["null", "string"]}))
    assert full_transitive_problems(v3, [released(v2, 2)]) == []
    problems = full_transitive_problems(v3, [released(THING_V1, 1), released(v2, 2)])
    assert problems and all("v1" in problem and "colour" in problem for problem in problems)


def test_a_problem_says_which_direction_and_where() -> None:
    changed = evolved(add({"name": "colour", "type": "string"}))
    assert incompatibilities(THING_V1, changed) == []  # the old reader skips the new field
    problems = incompatibilities(changed, THING_V1)
    assert len(problems) == 1 and "colour" in problems[0]


def write_thing(directory: Path, document: dict[str, Any]) -> None:
    (directory / f"{THING}.avsc").write_text(json.dumps(document), encoding="utf-8")


def run_release(schemas_dir: Path, *names: str) -> tuple[int, str]:
    out = io.StringIO()
    arguments = ["--schemas-dir", str(schemas_dir), *(f"--schema={name}" for name in names)]
    return release_schemas(arguments, out=out), out.getvalue()


def test_the_release_command_refuses_a_breaking_change_and_writes_nothing(tmp_path: Path) -> None:
    write_thing(tmp_path, THING_V1)
    assert run_release(tmp_path, THING) == (0, f"released {THING}/v1.avsc\n")
    write_thing(tmp_path, evolved(drop("count")))
    status, output = run_release(tmp_path, THING)
    assert status == EXIT_REFUSED
    assert f"refused {THING}" in output and "count" in output and "nothing released" in output
    assert sorted(path.name for path in (tmp_path / RELEASED_DIR_NAME / THING).iterdir()) == ["v1.avsc"]


def test_the_release_command_releases_a_compatible_change_as_the_next_version(tmp_path: Path) -> None:
    write_thing(tmp_path, THING_V1)
    run_release(tmp_path, THING)
    write_thing(tmp_path, evolved(OPTIONAL_COLOUR))
    assert run_release(tmp_path, THING) == (0, f"released {THING}/v2.avsc\n")
    assert run_release(tmp_path, THING) == (0, "every current schema is already released\n")
    versions = load_released(tmp_path / RELEASED_DIR_NAME)[THING]
    assert [version.version for version in versions] == [1, 2]


def test_the_release_command_refuses_a_breaking_change_to_a_copy_of_todays_schemas(tmp_path: Path) -> None:
    copied = tmp_path / "avro"
    shutil.copytree(SCHEMAS_DIR, copied)
    state = json.loads((copied / "items.v1.ItemState.avsc").read_text(encoding="utf-8"))
    state["fields"] = [field for field in state["fields"] if field["name"] != "sku"]
    (copied / "items.v1.ItemState.avsc").write_text(json.dumps(state), encoding="utf-8")
    status, output = run_release(copied)
    assert status == EXIT_REFUSED and "sku" in output
    assert sorted(copied.joinpath(RELEASED_DIR_NAME).rglob("*.avsc")) == sorted(
        copied / path.relative_to(SCHEMAS_DIR) for path in RELEASED_SCHEMAS_DIR.rglob("*.avsc")
    )


def test_a_gap_in_the_released_versions_is_refused(tmp_path: Path) -> None:
    [path] = release([RegisteredSchema.from_document(THING_V1)], tmp_path)
    path.rename(path.with_name("v2.avsc"))
    with pytest.raises(ValueError, match="without gaps"):
        load_released(tmp_path)


def test_every_current_schema_is_released(registry: SchemaRegistry) -> None:
    assert registry.schemas(), "no current schema was found"
    missing = [schema.full_name for schema in unreleased(registry.schemas(), load_released(RELEASED_SCHEMAS_DIR))]
    assert not missing, f"run `make release-schemas` and commit the new files: {missing}"


def test_every_current_schema_is_full_transitive_compatible_with_its_releases(registry: SchemaRegistry) -> None:
    every_release = load_released(RELEASED_SCHEMAS_DIR)
    for schema in registry.schemas():
        assert every_release.get(schema.full_name), f"{schema.full_name} has no released version"
        problems = full_transitive_problems(schema.document, every_release[schema.full_name])
        assert not problems, f"{schema.full_name} breaks its released versions:\n" + "\n".join(problems)


def test_released_files_are_self_contained(registry: SchemaRegistry) -> None:
    paths = sorted(RELEASED_SCHEMAS_DIR.glob("*/v*.avsc"))
    assert {path.parent.name for path in paths} >= {schema.full_name for schema in registry.schemas()}
    for path in paths:
        RegisteredSchema.from_document(json.loads(path.read_text(encoding="utf-8")))  # no named type from elsewhere
