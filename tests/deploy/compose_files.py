"""Compose files as Compose reads them: schema-checked, interpolated, and an override merged over its base.

`docker compose config` needs the Compose plugin, which this project's machines do not have,
so this is the part of its work the deployment checks rely on.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

# `$$` is a literal dollar (left for the container's shell); `${NAME:-default}` is substituted.
INTERPOLATION = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}")
# Sequences Compose merges entry by entry, keyed by where they mount; other sequences are replaced.
_MERGED_BY_TARGET = frozenset({"configs", "secrets", "volumes"})


def check_compose_schema(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def interpolate(value: Any) -> Any:
    """Compose's variable substitution with an empty environment: the quick start must work
    without an .env file, so every variable needs a default."""
    if isinstance(value, dict):
        return {key: interpolate(item) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item) for item in value]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        assert match.group(2), f"${{{match.group(1)}}} has no default; `docker compose up` must work as it is"
        return match.group(3)

    return INTERPOLATION.sub(substitute, value)


def merged(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """`docker compose -f base -f override`: mappings merge key by key, mounts by target, the rest is replaced."""
    result = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            result[key] = merged(base[key], value)
        elif key in _MERGED_BY_TARGET and isinstance(value, list) and isinstance(base.get(key), list):
            by_target = {_target(mount): mount for mount in [*base[key], *value]}
            result[key] = list(by_target.values())
        else:
            result[key] = value
    return result


def _target(mount: str | dict[str, Any]) -> str:
    if isinstance(mount, dict):
        return str(mount.get("target") or mount["source"])
    return mount.split(":")[1] if ":" in mount else mount
