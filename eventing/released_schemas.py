"""Every released version of each event schema, kept so that old `ce-dataschema` URLs still resolve.

A released version is one self-contained file, `released/<full name>/v<N>.avsc`, with its
named types inlined, so it stays readable whatever later happens to the sibling files of
the current schemas. A new version is released when a schema's fingerprint (its binary
layout) changes; an edit of docs alone keeps the fingerprint and needs no release.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from eventing.avro_document import with_namespaces
from items_events.schemas import SCHEMA_FILE_SUFFIX, RegisteredSchema

RELEASED_DIR_NAME = "released"
_VERSION_FILE = re.compile(rf"^v([1-9][0-9]*){re.escape(SCHEMA_FILE_SUFFIX)}$")


@dataclass(frozen=True, slots=True)
class ReleasedSchema:
    """One released version of an event schema."""

    version: int
    schema: RegisteredSchema


ReleasedVersions = dict[str, list[ReleasedSchema]]
"""Released versions by full name, oldest first."""


def load_released(directory: Path) -> ReleasedVersions:
    """Read every `<full name>/v<N>.avsc` under `directory`; versions must run 1, 2, 3, ..."""
    released: ReleasedVersions = {}
    if not directory.is_dir():
        return released
    for schema_dir in sorted(path for path in directory.iterdir() if path.is_dir()):
        versions = sorted(map(_load_version, _version_files(schema_dir)), key=lambda released: released.version)
        if [version.version for version in versions] != list(range(1, len(versions) + 1)):
            raise ValueError(f"{schema_dir}: released versions must be numbered 1, 2, 3, ... without gaps")
        for version in versions:
            if version.schema.full_name != schema_dir.name:
                raise ValueError(f"{schema_dir}/v{version.version}: defines {version.schema.full_name}")
        released[schema_dir.name] = versions
    return released


def unreleased(current: Iterable[RegisteredSchema], released: ReleasedVersions) -> list[RegisteredSchema]:
    """The current schemas whose fingerprint no released version of the same event has."""
    return [
        schema
        for schema in current
        if all(old.schema.fingerprint != schema.fingerprint for old in released.get(schema.full_name, []))
    ]


def release(current: Iterable[RegisteredSchema], directory: Path) -> list[Path]:
    """Write each unreleased current schema as its event's next version; returns the new files."""
    released = load_released(directory)
    written: list[Path] = []
    for schema in unreleased(current, released):
        version = len(released.get(schema.full_name, [])) + 1
        path = directory / schema.full_name / f"v{version}{SCHEMA_FILE_SUFFIX}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            json.dumps(with_namespaces(schema.document), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        written.append(path)
    return written


def _version_files(schema_dir: Path) -> list[Path]:
    files = [path for path in schema_dir.iterdir() if path.is_file()]
    strays = [path.name for path in files if not _VERSION_FILE.match(path.name)]
    if strays:
        raise ValueError(f"{schema_dir}: not a released version file: {', '.join(sorted(strays))}")
    return files


def _load_version(path: Path) -> ReleasedSchema:
    match = _VERSION_FILE.match(path.name)
    assert match is not None  # _version_files keeps only matching names
    # A plain parse, not fastavro's load_schema: a released file must not depend on any other file.
    try:
        schema = RegisteredSchema.from_document(json.loads(path.read_text(encoding="utf-8")))
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from exc
    return ReleasedSchema(int(match.group(1)), schema)
