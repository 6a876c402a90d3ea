"""Runs a standalone benchmark module (`python -m bench.<name>`) that prints one JSON object, and parses it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from bench.paths import PROJECT_ROOT, WORK_DIR


class CommandFailed(RuntimeError):
    """The module exited non-zero or printed no JSON; the message ends with the tail of its output."""


def run_json_module(module: str, arguments: Sequence[str], environment: Mapping[str, str]) -> dict[str, Any]:
    """Its own process, so it has the machine's cores to itself as the other scenarios do; stderr goes to a log."""
    log_path = WORK_DIR / "logs" / f"{module.rsplit('.', 1)[-1]}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log:
        completed = subprocess.run(
            [sys.executable, "-m", module, *arguments],
            cwd=PROJECT_ROOT,
            env={**os.environ, **environment},
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            check=False,
        )
    try:
        parsed = json.loads(completed.stdout) if completed.returncode == 0 else None
    except json.JSONDecodeError:
        parsed = None
    if not isinstance(parsed, dict):
        tail = "\n".join((completed.stdout + log_path.read_text(errors="replace")).splitlines()[-20:])
        raise CommandFailed(f"python -m {module} exited {completed.returncode}:\n{tail}")
    return parsed
