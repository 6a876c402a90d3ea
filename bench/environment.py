"""What the numbers were measured on: machine, versions and commit, recorded with every result."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib import metadata
from typing import Any

from bench.paths import PROJECT_ROOT

PACKAGES = (
    "connexion",
    "flask",
    "fastapi",
    "starlette",
    "pydantic",
    "gunicorn",
    "uvicorn",
    "uvicorn-worker",
    "sqlalchemy",
    "psycopg",
)


def describe_environment(wrk: str) -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "kernel": platform.release(),
        "wrk": _first_line([wrk, "-v"]).split(" [")[0],
        "commit": _commit(),
        "packages": {name: _version(name) for name in PACKAGES},
    }


def _commit() -> str:
    commit = _first_line(["git", "rev-parse", "--short", "HEAD"])
    if not commit:
        return "none"
    changed = _first_line(["git", "status", "--porcelain"])
    return f"{commit} with uncommitted changes" if changed else commit


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _first_line(command: list[str]) -> str:
    try:
        completed = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=10, check=False)
    except OSError:
        return ""
    if completed.returncode not in (0, 1):
        return ""
    lines = (completed.stdout or completed.stderr).strip().splitlines()
    return lines[0] if lines and "fatal" not in lines[0] else ""
