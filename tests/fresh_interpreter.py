"""Runs Python code in a new interpreter from the project root: what a process imports, seen from outside."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from settings import PROJECT_ROOT


def loaded_modules(script: str, environ: Mapping[str, str], tmp_path: Path, *prefixes: str) -> list[str]:
    """The modules starting with one of `prefixes` that `script` left loaded, in a fresh interpreter.

    The app's SQLite file and dev secret go under `tmp_path`, so nothing is written in the project.
    """
    environment = {**environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'items.db'}"}
    environment["AUTH_DEV_SECRET_FILE"] = str(tmp_path / "secret")
    listing = f"import json, sys\nprint(json.dumps(sorted(m for m in sys.modules if m.startswith({prefixes!r}))))\n"
    ran = subprocess.run(
        [sys.executable, "-c", script + "\n" + listing], cwd=PROJECT_ROOT, env=environment,
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return list(json.loads(ran.stdout.strip().splitlines()[-1]))


BUILD_THE_APP = "from app import create_app\ncreate_app()"
"""A worker's start, without gunicorn."""
